using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Metrics.V1;

namespace PhonicAspire.Testing.Otlp;

/// <summary>Reads the data points of one histogram from an OTLP metrics export (binary protobuf).</summary>
public static class OtlpHistograms
{
    public static List<CollectedHistogramPoint> Read(byte[] body, int length, string metricName)
    {
        var request = ExportMetricsServiceRequest.Parser.ParseFrom(body, 0, length);
        var points = new List<CollectedHistogramPoint>();
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var source = OtlpResource.Of(resourceMetrics.Resource);
            foreach (var metric in resourceMetrics.ScopeMetrics.SelectMany(scope => scope.Metrics).Where(metric => metric.Name == metricName))
            {
                if (metric.Histogram is not { } histogram)
                {
                    throw new InvalidOperationException($"{metricName} was exported as {metric.DataCase}, not as a histogram.");
                }

                if (histogram.AggregationTemporality != AggregationTemporality.Cumulative)
                {
                    throw new InvalidOperationException(
                        $"{metricName} was exported with {histogram.AggregationTemporality} temporality; reading it needs cumulative, the .NET exporter's default.");
                }

                points.AddRange(histogram.DataPoints.Select(point => new CollectedHistogramPoint(
                    source.ServiceName,
                    source.InstanceId,
                    OtlpAttributes.Render(point.Attributes),
                    point.StartTimeUnixNano,
                    point.TimeUnixNano,
                    // An exporter may leave out the buckets of a point that has no measurements yet.
                    point.BucketCounts.Count == 0 ? HistogramCounts.Empty([.. point.ExplicitBounds]) : new HistogramCounts([.. point.ExplicitBounds], [.. point.BucketCounts]))));
            }
        }

        return points;
    }
}
