using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;
using OpenTelemetry.Proto.Resource.V1;
using PhonicAspire.Testing.Otlp;

namespace PhonicAspire.UnitTests.Telemetry;

public sealed class OtlpHistogramsTests
{
    private const string ReceiptToCommit = "phonic.events.receipt_to_commit";
    private static readonly double[] Bounds = [10, 50, 100];

    [Fact]
    public void Reads_every_series_of_the_named_histogram_from_every_resource_and_nothing_else()
    {
        var request = new ExportMetricsServiceRequest
        {
            ResourceMetrics =
            {
                Resource("worker", "first", Histogram(ReceiptToCommit, Point(start: 1, time: 5, [1, 2, 3, 4])), Histogram("other", Point(start: 1, time: 5, [9, 9, 9, 9]))),
                Resource("worker", "second", Histogram(ReceiptToCommit, Point(start: 2, time: 6, [0, 0, 7, 1], ("outcome", "stored")))),
                Resource("webhookapi", "api", Histogram("http.server.request.duration", Point(start: 1, time: 5, [5, 0, 0, 0]))),
            },
        };
        var bytes = request.ToByteArray();

        var points = OtlpHistograms.Read(bytes, bytes.Length, ReceiptToCommit);

        Assert.Collection(
            points,
            first =>
            {
                Assert.Equal(("worker", "first", 1UL, 5UL), (first.ServiceName, first.InstanceId, first.StartTimeUnixNano, first.TimeUnixNano));
                Assert.Equal(Bounds, first.Counts.Bounds);
                Assert.Equal([1UL, 2, 3, 4], first.Counts.Buckets);
            },
            second =>
            {
                Assert.Equal(("worker", "second", "stored"), (second.ServiceName, second.InstanceId, second.Attributes["outcome"]));
                Assert.Equal(8UL, second.Counts.Count);
            });
    }

    [Fact]
    public void A_point_exported_without_buckets_reads_as_empty_buckets()
    {
        var bytes = Request(Histogram(ReceiptToCommit, Point(start: 1, time: 5, []))).ToByteArray();

        var point = Assert.Single(OtlpHistograms.Read(bytes, bytes.Length, ReceiptToCommit));

        Assert.Equal([0UL, 0, 0, 0], point.Counts.Buckets);
    }

    [Fact]
    public void A_histogram_exported_as_deltas_is_refused_naming_its_temporality()
    {
        var histogram = Histogram(ReceiptToCommit, Point(start: 1, time: 5, [1, 0, 0, 0]));
        histogram.Histogram.AggregationTemporality = AggregationTemporality.Delta;
        var bytes = Request(histogram).ToByteArray();

        var refusal = Assert.Throws<InvalidOperationException>(() => OtlpHistograms.Read(bytes, bytes.Length, ReceiptToCommit));

        Assert.Contains("Delta", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_metric_of_that_name_that_is_not_a_histogram_is_refused()
    {
        var gauge = new Metric { Name = ReceiptToCommit, Gauge = new Gauge { DataPoints = { new NumberDataPoint { AsDouble = 3 } } } };
        var bytes = Request(gauge).ToByteArray();

        Assert.Throws<InvalidOperationException>(() => OtlpHistograms.Read(bytes, bytes.Length, ReceiptToCommit));
    }

    [Fact]
    public void The_growth_between_two_snapshots_is_each_series_growth_and_the_whole_of_a_series_begun_since()
    {
        var earlier = Read(
            Resource("worker", "first", Histogram(ReceiptToCommit, Point(start: 1, time: 5, [1, 2, 3, 4]))),
            Resource("webhookapi", "api", Histogram(ReceiptToCommit, Point(start: 1, time: 5, [1, 1, 1, 1]))));
        var later = Read(
            Resource("worker", "first", Histogram(ReceiptToCommit, Point(start: 1, time: 9, [11, 2, 4, 4]))),
            // The same instance restarted: a new series, counted whole.
            Resource("worker", "first", Histogram(ReceiptToCommit, Point(start: 7, time: 9, [0, 5, 0, 0]))),
            Resource("webhookapi", "api", Histogram(ReceiptToCommit, Point(start: 1, time: 9, [50, 50, 50, 50]))));

        var growth = CollectedHistogramPoint.GrowthBetween(earlier, later, "worker");

        Assert.Equal([10UL, 5, 1, 0], growth.Buckets);
    }

    [Fact]
    public void A_cumulative_series_that_lost_measurements_between_snapshots_is_refused()
    {
        var earlier = Read(Resource("worker", "first", Histogram(ReceiptToCommit, Point(start: 1, time: 5, [4, 0, 0, 0]))));
        var later = Read(Resource("worker", "first", Histogram(ReceiptToCommit, Point(start: 1, time: 9, [3, 0, 0, 0]))));

        Assert.Throws<InvalidOperationException>(() => CollectedHistogramPoint.GrowthBetween(earlier, later, "worker"));
    }

    [Fact]
    public void Growth_for_a_service_the_later_snapshot_has_no_series_of_is_refused_naming_it()
    {
        var snapshot = Read(Resource("webhookapi", "api", Histogram(ReceiptToCommit, Point(start: 1, time: 5, [1, 0, 0, 0]))));

        var refusal = Assert.Throws<InvalidOperationException>(() => CollectedHistogramPoint.GrowthBetween(snapshot, snapshot, "worker"));

        Assert.Contains("worker", refusal.Message, StringComparison.Ordinal);
    }

    private static List<CollectedHistogramPoint> Read(params ResourceMetrics[] resources)
    {
        var bytes = new ExportMetricsServiceRequest { ResourceMetrics = { resources } }.ToByteArray();
        return OtlpHistograms.Read(bytes, bytes.Length, ReceiptToCommit);
    }

    private static ExportMetricsServiceRequest Request(Metric metric) =>
        new() { ResourceMetrics = { Resource("worker", "first", metric) } };

    private static ResourceMetrics Resource(string service, string instance, params Metric[] metrics) => new()
    {
        Resource = new Resource
        {
            Attributes =
            {
                new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } },
                new KeyValue { Key = "service.instance.id", Value = new AnyValue { StringValue = instance } },
            },
        },
        ScopeMetrics = { new ScopeMetrics { Scope = new InstrumentationScope { Name = "PhonicAspire" }, Metrics = { metrics } } },
    };

    private static Metric Histogram(string name, params HistogramDataPoint[] points) => new()
    {
        Name = name,
        Histogram = new Histogram { AggregationTemporality = AggregationTemporality.Cumulative, DataPoints = { points } },
    };

    private static HistogramDataPoint Point(ulong start, ulong time, ulong[] buckets, params (string Key, string Value)[] attributes)
    {
        var point = new HistogramDataPoint
        {
            StartTimeUnixNano = start,
            TimeUnixNano = time,
            Count = buckets.Aggregate(0UL, (total, bucket) => total + bucket),
            ExplicitBounds = { Bounds },
            BucketCounts = { buckets },
        };
        point.Attributes.AddRange(attributes.Select(attribute => new KeyValue { Key = attribute.Key, Value = new AnyValue { StringValue = attribute.Value } }));
        return point;
    }
}
