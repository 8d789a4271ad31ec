using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PhonicAspire.Testing;
using PhonicAspire.Testing.Otlp;

namespace PhonicAspire.Benchmarks.Telemetry;

/// <summary>
/// Where the measured services export their traces, metrics and logs over OTLP/HTTP, as operators run them: a
/// receiver that answers every export at once and counts the spans it received, so the report can show that every
/// delivery's trace left the service. A deployment's collector runs elsewhere; this one shares the measured cores,
/// so it does as little as a receiver can: it counts the traces' spans from their wire format and reads the rest unparsed.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private static readonly byte[] EmptyResponse = [];

    private readonly WebApplication _app;
    private long _spans;
    private long _exports;

    private OtlpSink(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>Spans received so far, from every service.</summary>
    public long Spans => Interlocked.Read(ref _spans);

    /// <summary>Export requests received so far, of every signal.</summary>
    public long Exports => Interlocked.Read(ref _exports);

    /// <summary>The variables that point a service's exporter here.</summary>
    public IEnumerable<KeyValuePair<string, string>> ExporterEnvironment()
    {
        yield return new("OTEL_EXPORTER_OTLP_ENDPOINT", Endpoint.GetLeftPart(UriPartial.Authority));
        yield return new("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    }

    public static async Task<OtlpSink> StartAsync(CancellationToken cancellationToken)
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var sink = new OtlpSink(app, new Uri($"http://127.0.0.1:{port}/"));
        app.MapPost("/v1/traces", sink.ReceiveTracesAsync);
        app.MapPost("/v1/metrics", sink.ReceiveAsync);
        app.MapPost("/v1/logs", sink.ReceiveAsync);
        await app.StartAsync(cancellationToken);
        return sink;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task ReceiveTracesAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        Interlocked.Add(ref _spans, OtlpSpanCounter.Count(body.GetBuffer(), (int)body.Length));
        await AnswerAsync(context);
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        await context.Request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
        await AnswerAsync(context);
    }

    // An empty body is the encoding of an empty Export*ServiceResponse: everything accepted.
    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _exports);
        context.Response.ContentType = "application/x-protobuf";
        await context.Response.Body.WriteAsync(EmptyResponse, context.RequestAborted);
    }
}
