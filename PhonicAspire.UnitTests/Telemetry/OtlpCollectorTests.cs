using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using PhonicAspire.Testing.Otlp;

namespace PhonicAspire.UnitTests.Telemetry;

/// <summary>
/// The in-test OTLP receiver against the real OpenTelemetry .NET exporter, in process: what the whole-stack tests
/// will read from the services must decode exactly as the SDK produced it.
/// </summary>
public sealed class OtlpCollectorTests
{
    private const string ServiceName = "otlp-collector-tests";
    private const int FlushTimeoutMilliseconds = 30_000;
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    // Unique per test: ActivitySource and Meter listeners are process-wide and tests run in parallel.
    private readonly string _sourceName = $"PhonicAspire.Tests.Otlp.{Guid.NewGuid():N}";

    [Fact]
    public async Task Decodes_parent_and_child_spans_with_attributes_and_links()
    {
        await using var collector = new OtlpCollector();
        using var tracerProvider = TracerProvider(new Uri(collector.Endpoint, "v1/traces"));
        using var source = new ActivitySource(_sourceName);
        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);

        var (parent, child) = RecordParentAndChild(source, linked);
        Assert.True(tracerProvider.ForceFlush(FlushTimeoutMilliseconds));

        // ForceFlush can return before the export is answered: it polls, about once a second, for the spans to have
        // been taken from its buffer, which happens when the export is being written. A slow first export on a busy
        // machine was still in flight when it returned, so the spans are waited for, with a bound.
        var spans = await collector.WaitForSpansAsync(spans => spans.Count >= 2, ExportTimeout);
        Assert.Equal(2, spans.Count);
        var parentSpan = Assert.Single(spans, span => span.Name == "webhook receive");
        var childSpan = Assert.Single(spans, span => span.Name == "redis enqueue");

        Assert.Equal(ServiceName, parentSpan.ServiceName);
        Assert.Equal(_sourceName, parentSpan.ScopeName);
        Assert.Equal(parent.TraceId, parentSpan.TraceId);
        Assert.Equal(parent.SpanId, parentSpan.SpanId);
        Assert.Null(parentSpan.ParentSpanId);
        Assert.Equal(2, parentSpan.Kind);
        Assert.Empty(parentSpan.Links);

        Assert.Equal(ServiceName, childSpan.ServiceName);
        Assert.Equal(parent.TraceId, childSpan.TraceId);
        Assert.Equal(child.SpanId, childSpan.SpanId);
        Assert.Equal(parent.SpanId, childSpan.ParentSpanId);
        Assert.Equal(4, childSpan.Kind);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["phonic.call_id"] = "call-123",
                ["messaging.batch.message_count"] = "3",
                ["phonic.replay"] = "true",
                ["phonic.ratio"] = "0.25",
                ["phonic.tags"] = "[a, b]",
                ["phonic.negative"] = "-7",
            },
            childSpan.Attributes);
        Assert.Equal([(linked.TraceId.ToHexString(), linked.SpanId.ToHexString())], childSpan.Links);
    }

    [Fact]
    public async Task Decodes_metric_names_with_their_meter_and_service()
    {
        await using var collector = new OtlpCollector();
        using var meterProvider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(ServiceName))
            .AddMeter(_sourceName)
            .AddOtlpExporter((exporter, _) => ToCollector(exporter, new Uri(collector.Endpoint, "v1/metrics")))
            .Build();
        using var meter = new Meter(_sourceName);

        meter.CreateCounter<long>("phonic.webhooks.received").Add(1);
        meter.CreateHistogram<double>("phonic.webhooks.duration", unit: "s").Record(0.5);
        Assert.True(meterProvider.ForceFlush(FlushTimeoutMilliseconds));

        Assert.Equal(
            [
                new CollectedMetric(ServiceName, _sourceName, "phonic.webhooks.duration"),
                new CollectedMetric(ServiceName, _sourceName, "phonic.webhooks.received"),
            ],
            collector.Metrics.OrderBy(metric => metric.Name));
    }

    [Fact]
    public async Task Exporter_environment_makes_UseOtlpExporter_deliver_every_signal_unprompted()
    {
        await using var collector = new OtlpCollector();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(collector.ExporterEnvironment()!)
            .Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration);
        // The services' own wiring (ServiceDefaults): one UseOtlpExporter call configured from the environment.
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing.AddSource(_sourceName))
            .WithMetrics(metrics => metrics.AddMeter(_sourceName))
            .WithLogging()
            .UseOtlpExporter();
        var serviceProvider = services.BuildServiceProvider();
        await using (serviceProvider)
        {
            _ = serviceProvider.GetRequiredService<TracerProvider>();
            _ = serviceProvider.GetRequiredService<MeterProvider>();
            using var source = new ActivitySource(_sourceName);
            using var meter = new Meter(_sourceName);

            source.StartActivity("unprompted")?.Dispose();
            meter.CreateCounter<long>("phonic.unprompted").Add(1);
            serviceProvider.GetRequiredService<ILoggerFactory>().CreateLogger<OtlpCollectorTests>().LogInformation("unprompted");

            // No ForceFlush: only the short schedule delays in the environment get these here in time.
            await collector.WaitForSpansAsync(spans => spans.Any(span => span.Name == "unprompted"), ExportTimeout);
            await collector.WaitForMetricsAsync(metrics => metrics.Contains(new(ServiceName, _sourceName, "phonic.unprompted")), ExportTimeout);
            await collector.WaitForLogExportsAsync(count => count > 0, ExportTimeout);
        }
    }

    [Fact]
    public async Task Timeout_names_the_spans_that_did_arrive()
    {
        await using var collector = new OtlpCollector();
        using var tracerProvider = TracerProvider(new Uri(collector.Endpoint, "v1/traces"));
        using var source = new ActivitySource(_sourceName);
        source.StartActivity("arrived")?.Dispose();
        Assert.True(tracerProvider.ForceFlush(FlushTimeoutMilliseconds));
        await collector.WaitForSpansAsync(spans => spans.Any(span => span.Name == "arrived"), ExportTimeout);

        var timeout = await Assert.ThrowsAsync<TimeoutException>(() =>
            collector.WaitForSpansAsync(spans => spans.Any(span => span.Name == "never"), TimeSpan.FromMilliseconds(200)));

        // The whole message on failure: Assert.Contains would cut it.
        Assert.True(timeout.Message.Contains($"{ServiceName}: [arrived]", StringComparison.Ordinal), timeout.Message);
    }

    [Fact]
    public async Task Answers_an_empty_export_with_200_and_no_body()
    {
        await using var collector = new OtlpCollector();
        using var client = new HttpClient { BaseAddress = collector.Endpoint };

        foreach (var path in new[] { "v1/traces", "v1/metrics", "v1/logs" })
        {
            using var response = await client.PostAsync(path, Protobuf([]));

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task Rejects_what_it_cannot_decode()
    {
        await using var collector = new OtlpCollector();
        using var client = new HttpClient { BaseAddress = collector.Endpoint };

        using var json = await client.PostAsync("v1/traces", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var unknownPath = await client.PostAsync("v1/profiles", Protobuf([]));
        using var notPost = await client.GetAsync("v1/traces");
        using var truncated = await client.PostAsync("v1/traces", Protobuf(TruncatedTraceExport()));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, json.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownPath.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, notPost.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, truncated.StatusCode);
        Assert.Empty(collector.Spans);
    }

    private TracerProvider TracerProvider(Uri tracesEndpoint) =>
        Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(ResourceBuilder.CreateEmpty().AddService(ServiceName))
            .AddSource(_sourceName)
            .AddOtlpExporter(exporter => ToCollector(exporter, tracesEndpoint))
            .Build();

    // Set in code, the endpoint is used as given (no /v1/… appended), unlike the environment variable.
    private static void ToCollector(OtlpExporterOptions exporter, Uri signalEndpoint)
    {
        exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
        exporter.Endpoint = signalEndpoint;
    }

    private static ((string TraceId, string SpanId) Parent, (string TraceId, string SpanId) Child) RecordParentAndChild(
        ActivitySource source, ActivityContext linked)
    {
        using var parent = source.StartActivity("webhook receive", ActivityKind.Server)
            ?? throw new InvalidOperationException("The tracer provider is not listening to the test source.");
        using var child = source.StartActivity("redis enqueue", ActivityKind.Producer, parent.Context, links: [new ActivityLink(linked)])
            ?? throw new InvalidOperationException("The tracer provider is not listening to the test source.");
        child.SetTag("phonic.call_id", "call-123");
        child.SetTag("messaging.batch.message_count", 3);
        child.SetTag("phonic.replay", true);
        child.SetTag("phonic.ratio", 0.25);
        child.SetTag("phonic.tags", new[] { "a", "b" });
        child.SetTag("phonic.negative", -7L);
        return ((parent.TraceId.ToHexString(), parent.SpanId.ToHexString()), (child.TraceId.ToHexString(), child.SpanId.ToHexString()));
    }

    // A real export cut short: its resource_spans length now claims one byte more than follows.
    private static byte[] TruncatedTraceExport()
    {
        var export = new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { ScopeSpans = { new ScopeSpans { Spans = { new Span { Name = "cut" } } } } } },
        };
        return export.ToByteArray()[..^1];
    }

    private static ByteArrayContent Protobuf(byte[] body) =>
        new(body) { Headers = { ContentType = new("application/x-protobuf") } };
}
