using System.IO.Compression;

namespace PhonicAspire.Tests.Telemetry;

/// <summary>
/// Gzips request bodies on their way out, so a real exporter's payload reaches the collector the way a
/// compressing OTLP client would send it. The OTLP exporter sends synchronously, hence both overrides.
/// </summary>
internal sealed class GzipRequestHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private int _compressed;

    public int CompressedRequests => Volatile.Read(ref _compressed);

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Compress(request);
        return base.Send(request, cancellationToken);
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Compress(request);
        return base.SendAsync(request, cancellationToken);
    }

    private void Compress(HttpRequestMessage request)
    {
        using var original = request.Content ?? throw new InvalidOperationException("An OTLP export always has a body.");
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            original.ReadAsStream().CopyTo(gzip);
        }

        var content = new ByteArrayContent(compressed.ToArray());
        content.Headers.ContentType = original.Headers.ContentType;
        content.Headers.ContentEncoding.Add("gzip");
        request.Content = content;
        Interlocked.Increment(ref _compressed);
    }
}
