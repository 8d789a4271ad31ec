using System.Net;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Trace.V1;
using PhonicAspire.Testing.Otlp;
// Aliased: Aspire.Hosting.ApplicationModel, imported project-wide, has a Resource too.
using Resource = OpenTelemetry.Proto.Resource.V1.Resource;

namespace PhonicAspire.UnitTests.Telemetry;

/// <summary>
/// What the in-process exporter tests cannot make the SDK send, built from the OTLP messages themselves: attribute
/// kinds the services do not set, a span without a scope, and counters' data points with the instance that sent them.
/// </summary>
public sealed class OtlpCollectorMappingTests
{
    private const string ServiceName = "otlp-mapping-tests";
    private const string InstanceId = "instance-1";
    private const string MeterName = "PhonicAspire.Tests.Otlp.Mapping";

    [Fact]
    public async Task Renders_the_attribute_kinds_the_exporter_tests_do_not_send()
    {
        await using var collector = new OtlpCollector();
        var span = new Span
        {
            TraceId = ByteString.CopyFrom(Convert.FromHexString("0af7651916cd43dd8448eb211c80319c")),
            SpanId = ByteString.CopyFrom(Convert.FromHexString("b7ad6b7169203331")),
            Name = "root",
            Kind = Span.Types.SpanKind.Consumer,
            Attributes =
            {
                Attribute("phonic.bytes", new AnyValue { BytesValue = ByteString.CopyFrom(0xAB, 0x01) }),
                Attribute("phonic.map", new AnyValue
                {
                    KvlistValue = new KeyValueList
                    {
                        Values = { Attribute("a", new AnyValue { IntValue = 1 }), Attribute("b", new AnyValue { ArrayValue = new ArrayValue() }) },
                    },
                }),
                Attribute("phonic.unset", new AnyValue()),
                Attribute("phonic.repeated", new AnyValue { StringValue = "first" }),
                Attribute("phonic.repeated", new AnyValue { StringValue = "last" }),
            },
        };
        var export = new ExportTraceServiceRequest
        {
            ResourceSpans = { new ResourceSpans { Resource = ServiceResource(), ScopeSpans = { new ScopeSpans { Spans = { span } } } } },
        };

        await PostAsync(collector, "v1/traces", export);

        var collected = Assert.Single(collector.Spans);
        Assert.Equal(ServiceName, collected.ServiceName);
        Assert.Equal("", collected.ScopeName);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", collected.TraceId);
        Assert.Equal("b7ad6b7169203331", collected.SpanId);
        Assert.Null(collected.ParentSpanId);
        Assert.Equal(5, collected.Kind);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["phonic.bytes"] = "ab01",
                ["phonic.map"] = "{a=1, b=[]}",
                ["phonic.unset"] = "",
                ["phonic.repeated"] = "last",
            },
            collected.Attributes);
    }

    [Fact]
    public async Task Keeps_the_data_points_of_sums_only_with_the_instance_that_sent_them()
    {
        await using var collector = new OtlpCollector();
        var counted = new NumberDataPoint { AsInt = 3, TimeUnixNano = 1_000, Attributes = { Attribute("outcome", new AnyValue { StringValue = "stored" }) } };
        var measured = new NumberDataPoint { AsDouble = 0.5, TimeUnixNano = 2_000 };
        var export = new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                new ResourceMetrics
                {
                    Resource = ServiceResource(),
                    ScopeMetrics =
                    {
                        new ScopeMetrics
                        {
                            Scope = new InstrumentationScope { Name = MeterName },
                            Metrics =
                            {
                                new Metric { Name = "phonic.stored", Sum = new Sum { DataPoints = { counted, measured } } },
                                new Metric { Name = "phonic.lag", Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsDouble = 9 } } } },
                            },
                        },
                    },
                },
            },
        };

        await PostAsync(collector, "v1/metrics", export);

        Assert.Equal(
            [new CollectedMetric(ServiceName, MeterName, "phonic.lag"), new CollectedMetric(ServiceName, MeterName, "phonic.stored")],
            collector.Metrics.OrderBy(metric => metric.Name));
        Assert.Collection(
            collector.DataPoints,
            point =>
            {
                Assert.Equal((ServiceName, InstanceId, MeterName, "phonic.stored"), (point.ServiceName, point.InstanceId, point.MeterName, point.MetricName));
                Assert.Equal(new Dictionary<string, string> { ["outcome"] = "stored" }, point.Attributes);
                Assert.Equal((3d, 1_000UL), (point.Value, point.TimeUnixNano));
            },
            point =>
            {
                Assert.Equal((ServiceName, InstanceId, MeterName, "phonic.stored"), (point.ServiceName, point.InstanceId, point.MeterName, point.MetricName));
                Assert.Empty(point.Attributes);
                Assert.Equal((0.5, 2_000UL), (point.Value, point.TimeUnixNano));
            });
    }

    private static Resource ServiceResource() => new()
    {
        Attributes =
        {
            Attribute("service.name", new AnyValue { StringValue = ServiceName }),
            Attribute("service.instance.id", new AnyValue { StringValue = InstanceId }),
        },
    };

    private static KeyValue Attribute(string key, AnyValue value) => new() { Key = key, Value = value };

    private static async Task PostAsync(OtlpCollector collector, string path, IMessage export)
    {
        using var client = new HttpClient { BaseAddress = collector.Endpoint };
        using var body = new ByteArrayContent(export.ToByteArray()) { Headers = { ContentType = new("application/x-protobuf") } };
        using var response = await client.PostAsync(path, body);
        // The collector records an export before answering it, so a 200 means it is there to read.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
