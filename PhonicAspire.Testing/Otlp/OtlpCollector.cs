using System.Diagnostics;
using System.Net;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace PhonicAspire.Testing.Otlp;

/// <summary>
/// An in-test OTLP/HTTP receiver (binary protobuf, uncompressed as the .NET exporter sends it by default) on a free loopback port, so tests can
/// assert the traces and metrics that services in other processes export. Point a service at it with
/// <see cref="ExporterEnvironment"/>; every export is answered 200 with an empty body, which is the encoding of an
/// empty <c>Export*ServiceResponse</c>.
/// </summary>
public sealed class OtlpCollector : IAsyncDisposable
{
    private const string TracesPath = "/v1/traces";
    private const string MetricsPath = "/v1/metrics";
    private const string LogsPath = "/v1/logs";
    private const string ProtobufContentType = "application/x-protobuf";
    private const int PortAttempts = 5;
    private static readonly TimeSpan BodyReadTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpListener _listener;
    private readonly Task _serving;
    private readonly Lock _gate = new();
    private readonly List<CollectedSpan> _spans = [];
    private readonly HashSet<CollectedMetric> _metrics = [];
    private readonly List<CollectedDataPoint> _dataPoints = [];
    private readonly List<(string Path, byte[] Body)> _exports = [];
    private readonly List<string> _rejections = [];
    private int _logRequestCount;
    private TaskCompletionSource _received = NewSignal();

    public OtlpCollector()
    {
        (_listener, Endpoint) = Listen();
        _serving = ServeAsync();
    }

    /// <summary>The base address (scheme, host and port); exporters append <c>/v1/traces</c> and the like.</summary>
    public Uri Endpoint { get; }

    public IReadOnlyList<CollectedSpan> Spans
    {
        get
        {
            lock (_gate)
            {
                return [.. _spans];
            }
        }
    }

    public IReadOnlyCollection<CollectedMetric> Metrics
    {
        get
        {
            lock (_gate)
            {
                return [.. _metrics];
            }
        }
    }

    public IReadOnlyList<CollectedDataPoint> DataPoints
    {
        get
        {
            lock (_gate)
            {
                return [.. _dataPoints];
            }
        }
    }

    /// <summary>
    /// The signals (<c>/v1/traces</c>, <c>/v1/logs</c>, <c>/v1/metrics</c>) of every export received whose raw body
    /// holds <paramref name="text"/> anywhere, as UTF-8: a check that no exported span, log or metric carries it.
    /// </summary>
    public IReadOnlyList<string> ExportsContaining(string text)
    {
        var needle = System.Text.Encoding.UTF8.GetBytes(text);
        lock (_gate)
        {
            return [.. _exports.Where(export => export.Body.AsSpan().IndexOf(needle) >= 0).Select(export => export.Path)];
        }
    }

    /// <summary>How many log exports received hold <paramref name="text"/> anywhere (see <see cref="ExportsContaining"/>).</summary>
    public int LogExportsContaining(string text) => ExportsContaining(text).Count(path => path == LogsPath);

    /// <summary>Log exports are counted and searched as raw bytes (<see cref="LogExportsContaining"/>), not decoded as traces and metrics are.</summary>
    public int LogRequestCount
    {
        get
        {
            lock (_gate)
            {
                return _logRequestCount;
            }
        }
    }

    /// <summary>
    /// What a service needs to export here quickly: OTLP over HTTP/protobuf to the base endpoint (the .NET exporter
    /// appends the signal paths when the endpoint comes from configuration) and short batch and metric intervals,
    /// so tests wait fractions of a second instead of the 5 s and 60 s defaults.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> ExporterEnvironment()
    {
        yield return new("OTEL_EXPORTER_OTLP_ENDPOINT", Endpoint.GetLeftPart(UriPartial.Authority));
        yield return new("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
        yield return new("OTEL_BSP_SCHEDULE_DELAY", "200");
        yield return new("OTEL_METRIC_EXPORT_INTERVAL", "1000");
        yield return new("OTEL_BLRP_SCHEDULE_DELAY", "200");
    }

    /// <summary>
    /// Waits until <paramref name="until"/> holds for the spans received so far and returns that snapshot; throws a
    /// <see cref="TimeoutException"/> describing everything received if it does not within <paramref name="timeout"/>.
    /// </summary>
    public Task<IReadOnlyList<CollectedSpan>> WaitForSpansAsync(Func<IReadOnlyList<CollectedSpan>, bool> until, TimeSpan timeout) =>
        WaitForAsync(() => Spans, until, timeout, "spans");

    /// <summary>As <see cref="WaitForSpansAsync"/>, for the (deduplicated) metrics received so far.</summary>
    public Task<IReadOnlyCollection<CollectedMetric>> WaitForMetricsAsync(Func<IReadOnlyCollection<CollectedMetric>, bool> until, TimeSpan timeout) =>
        WaitForAsync(() => Metrics, until, timeout, "metrics");

    /// <summary>As <see cref="WaitForSpansAsync"/>, for the counters' data points received so far.</summary>
    public Task<IReadOnlyList<CollectedDataPoint>> WaitForDataPointsAsync(Func<IReadOnlyList<CollectedDataPoint>, bool> until, TimeSpan timeout) =>
        WaitForAsync(() => DataPoints, until, timeout, "metric data points");

    /// <summary>As <see cref="WaitForSpansAsync"/>, for the number of log exports received so far.</summary>
    public Task<int> WaitForLogExportsAsync(Func<int, bool> until, TimeSpan timeout) =>
        WaitForAsync(() => LogRequestCount, until, timeout, "log exports");

    /// <summary>As <see cref="WaitForSpansAsync"/>, for the number of log exports holding <paramref name="text"/> (see <see cref="LogExportsContaining"/>).</summary>
    public Task<int> WaitForLogExportsContainingAsync(string text, Func<int, bool> until, TimeSpan timeout) =>
        WaitForAsync(() => LogExportsContaining(text), until, timeout, $"log exports holding '{text}'");

    public async ValueTask DisposeAsync()
    {
        // Closing fails the pending GetContextAsync, which ends the serve loop.
        _listener.Close();
        await _serving.WaitAsync(ShutdownTimeout);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static (HttpListener Listener, Uri Endpoint) Listen()
    {
        for (var attempt = 1; ; attempt++)
        {
            var endpoint = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}/");
            var listener = new HttpListener();
            listener.Prefixes.Add(endpoint.ToString());
            try
            {
                listener.Start();
                return (listener, endpoint);
            }
            catch (HttpListenerException) when (attempt < PortAttempts)
            {
                // Another process took the port between probing and binding; probe again.
                listener.Close();
            }
        }
    }

    private async Task<T> WaitForAsync<T>(Func<T> snapshot, Func<T, bool> until, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Task received;
            lock (_gate)
            {
                received = _received.Task;
            }

            // Taken after the signal, so anything arriving in between completes the signal we are about to await.
            var current = snapshot();
            if (until(current))
            {
                return current;
            }

            var remaining = timeout - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"The expected {what} did not arrive within {timeout}. {Describe()}");
            }

            await received.WaitAsync(remaining).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private string Describe()
    {
        lock (_gate)
        {
            var spans = _spans.GroupBy(span => span.ServiceName)
                .Select(service => $"{service.Key}: [{string.Join(", ", service.Select(span => span.Name))}]");
            var metrics = _metrics.GroupBy(metric => metric.ServiceName)
                .Select(service => $"{service.Key}: [{string.Join(", ", service.Select(metric => metric.Name))}]");
            return $"Received {_spans.Count} span(s) {{{string.Join("; ", spans)}}}, "
                + $"{_metrics.Count} metric(s) {{{string.Join("; ", metrics)}}}, {_logRequestCount} log export(s)"
                + (_rejections.Count == 0 ? "." : $"; rejected: {string.Join("; ", _rejections)}.");
        }
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception stopped) when (stopped is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            await RespondAsync(context);
        }
    }

    private async Task RespondAsync(HttpListenerContext context)
    {
        var status = await ReceiveAsync(context.Request);
        try
        {
            context.Response.StatusCode = (int)status;
            context.Response.ContentType = ProtobufContentType;
            context.Response.ContentLength64 = 0;
            context.Response.Close();
        }
        catch (Exception gone) when (gone is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The exporter hung up or the collector is shutting down; there is nobody left to answer.
        }
    }

    private async Task<HttpStatusCode> ReceiveAsync(HttpListenerRequest request)
    {
        var path = request.Url?.AbsolutePath;
        if (request.HttpMethod != HttpMethod.Post.Method)
        {
            return Reject(HttpStatusCode.MethodNotAllowed, $"{request.HttpMethod} {path}");
        }

        if (path is not (TracesPath or MetricsPath or LogsPath))
        {
            return Reject(HttpStatusCode.NotFound, $"POST {path}");
        }

        if (request.ContentType?.Split(';')[0].Trim() != ProtobufContentType)
        {
            return Reject(HttpStatusCode.UnsupportedMediaType, $"{path} as '{request.ContentType}' (only binary protobuf is decoded)");
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(request);
        }
        catch (Exception unreadable) when (unreadable is IOException or InvalidDataException or OperationCanceledException or HttpListenerException)
        {
            return Reject(HttpStatusCode.BadRequest, $"{path}: unreadable body ({unreadable.Message})");
        }

        try
        {
            Record(path, body);
            return HttpStatusCode.OK;
        }
        catch (InvalidProtocolBufferException malformed)
        {
            return Reject(HttpStatusCode.BadRequest, $"{path}: {malformed.Message}");
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpListenerRequest request)
    {
        var encoding = request.Headers["Content-Encoding"]?.Trim();
        if (encoding is not (null or "" or "identity"))
        {
            throw new InvalidDataException($"unsupported Content-Encoding '{encoding}'");
        }

        using var timeout = new CancellationTokenSource(BodyReadTimeout);
        using var buffer = new MemoryStream();
        await request.InputStream.CopyToAsync(buffer, timeout.Token);
        return buffer.ToArray();
    }

    private void Record(string path, byte[] body)
    {
        // Decode outside the lock: a malformed payload must be rejected whole, and readers should not wait on parsing.
        var spans = path == TracesPath ? OtlpTraces.Collect(ExportTraceServiceRequest.Parser.ParseFrom(body)) : [];
        var (metrics, points) = path == MetricsPath ? OtlpMetrics.Collect(ExportMetricsServiceRequest.Parser.ParseFrom(body)) : ([], []);
        lock (_gate)
        {
            _spans.AddRange(spans);
            _metrics.UnionWith(metrics);
            _dataPoints.AddRange(points);
            _exports.Add((path, body));
            if (path == LogsPath)
            {
                _logRequestCount++;
            }

            Signal();
        }
    }

    private HttpStatusCode Reject(HttpStatusCode status, string reason)
    {
        lock (_gate)
        {
            _rejections.Add($"{(int)status} {reason}");
            Signal();
        }

        return status;
    }

    // Called under _gate: wakes every waiter and arms a fresh signal for the next export.
    private void Signal()
    {
        _received.TrySetResult();
        _received = NewSignal();
    }
}
