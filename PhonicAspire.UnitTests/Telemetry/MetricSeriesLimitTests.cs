using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace PhonicAspire.UnitTests.Telemetry;

public sealed class MetricSeriesLimitTests
{
    private const string OverflowTag = "otel.metric.overflow";

    [Fact]
    public async Task A_metric_keeps_at_most_200_series_and_counts_every_measurement_past_them_under_the_overflow_series()
    {
        await using var telemetry = await ServiceTelemetry.StartAsync();

        for (var destination = 0; destination < 300; destination++)
        {
            telemetry.Metrics.Forwarded($"destination-{destination.ToString(CultureInfo.InvariantCulture)}", "delivered");
        }

        var points = telemetry.Collect("phonic.webhook.forwards");
        var overflow = Assert.Single(points, point => Tags(point).ContainsKey(OverflowTag));
        Assert.Equal(200, points.Count - 1);
        Assert.Equal(300, points.Sum(point => point.GetSumLong()));
        Assert.Equal(100, overflow.GetSumLong());
    }

    [Fact]
    public async Task A_histogram_keeps_the_buckets_its_instrument_advises_under_the_series_limit()
    {
        await using var telemetry = await ServiceTelemetry.StartAsync();

        telemetry.Metrics.CommittedAfter(TimeSpan.FromMilliseconds(30));

        var point = Assert.Single(telemetry.Collect("phonic.events.receipt_to_commit"));
        var bounds = new List<double>();
        foreach (var bucket in point.GetHistogramBuckets())
        {
            bounds.Add(bucket.ExplicitBound);
        }

        Assert.Equal([1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 60000, double.PositiveInfinity], bounds);
    }

    private static Dictionary<string, object?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>();
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        return tags;
    }
}
