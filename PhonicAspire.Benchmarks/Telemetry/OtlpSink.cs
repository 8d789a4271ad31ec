using System.Net;
using System.Text;
using Google.Protobuf;
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
/// so it does as little as a receiver can: it counts the traces' spans from their wire format, keeps the latest
/// points of the worker's receipt-to-commit histogram (the metrics come about once a second from each service) and
/// reads the rest unparsed.
/// </summary>
public sealed class OtlpSink : IAsyncDisposable
{
    private static readonly byte[] EmptyResponse = [];

    /// <summary>The worker's histogram of the time from the API's receipt of a delivery to the commit of its row (PhonicMetrics).</summary>
    public const string ReceiptToCommit = "phonic.events.receipt_to_commit";

    private static readonly byte[] ReceiptToCommitName = Encoding.UTF8.GetBytes(ReceiptToCommit);

    private static readonly TimeSpan HistogramPollInterval = TimeSpan.FromMilliseconds(100);

    // The exporter stamps a point's time just after copying its counts, so a point stamped a hair after the moment
    // asked for may hold counts from a hair before it; one stamped this much later holds everything up to it.
    private static readonly TimeSpan CollectionMargin = TimeSpan.FromMilliseconds(100);

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string, string, ulong, string), CollectedHistogramPoint> _latestHistogramPoints = [];
    private Exception? _unreadableMetrics;
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

    /// <summary>
    /// The latest point of every series of <see cref="ReceiptToCommit"/>, once <paramref name="serviceName"/> has exported one collected
    /// after <paramref name="after"/>: a snapshot that holds every measurement the service made before that moment.
    /// Throws what made an export unreadable (a histogram sent as deltas, say) rather than waiting out the timeout.
    /// </summary>
    public async Task<IReadOnlyList<CollectedHistogramPoint>> ReceiptToCommitAfterAsync(
        string serviceName, DateTimeOffset after, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        while (true)
        {
            lock (_gate)
            {
                if (_unreadableMetrics is { } unreadable)
                {
                    throw new InvalidOperationException($"A metrics export could not be read for {ReceiptToCommit}.", unreadable);
                }

                if (_latestHistogramPoints.Values.Any(point => point.ServiceName == serviceName && point.Time > after + CollectionMargin))
                {
                    return [.. _latestHistogramPoints.Values];
                }
            }

            if (timeProvider.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"{serviceName} exported no {ReceiptToCommit} collected after {after:HH:mm:ss.fff} within {timeout}.");
            }

            await Task.Delay(HistogramPollInterval, timeProvider, cancellationToken);
        }
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
        app.MapPost("/v1/metrics", sink.ReceiveMetricsAsync);
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

    private async Task ReceiveMetricsAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        // Only the worker's exports hold the histogram; the API's, each second through ingest, are not parsed at all.
        if (body.GetBuffer().AsSpan(0, (int)body.Length).IndexOf(ReceiptToCommitName) < 0)
        {
            await AnswerAsync(context);
            return;
        }

        try
        {
            var points = OtlpHistograms.Read(body.GetBuffer(), (int)body.Length, ReceiptToCommit);
            lock (_gate)
            {
                // A retried export can arrive after a later one.
                foreach (var point in points.Where(point => !_latestHistogramPoints.TryGetValue(point.Series, out var kept) || kept.TimeUnixNano < point.TimeUnixNano))
                {
                    _latestHistogramPoints[point.Series] = point;
                }
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or InvalidProtocolBufferException)
        {
            lock (_gate)
            {
                _unreadableMetrics ??= exception;
            }
        }

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
