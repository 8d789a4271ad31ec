using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Metrics.V1;

namespace PhonicAspire.Testing.Otlp;

/// <summary>
/// Flattens a metrics export into the metrics it reported and the data points of its sums (counters), whose values
/// tests compare; gauges and histograms are reported by name only.
/// </summary>
internal static class OtlpMetrics
{
    public static (List<CollectedMetric> Metrics, List<CollectedDataPoint> Points) Collect(ExportMetricsServiceRequest request)
    {
        var metrics = new List<CollectedMetric>();
        var points = new List<CollectedDataPoint>();
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var source = OtlpResource.Of(resourceMetrics.Resource);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                var meterName = scopeMetrics.Scope?.Name ?? "";
                foreach (var metric in scopeMetrics.Metrics)
                {
                    metrics.Add(new(source.ServiceName, meterName, metric.Name));
                    if (metric.Sum is { } sum)
                    {
                        points.AddRange(sum.DataPoints.Select(point => new CollectedDataPoint(
                            source.ServiceName,
                            source.InstanceId,
                            meterName,
                            metric.Name,
                            OtlpAttributes.Render(point.Attributes),
                            Value(point),
                            point.TimeUnixNano)));
                    }
                }
            }
        }

        return (metrics, points);
    }

    private static double Value(NumberDataPoint point) => point.ValueCase switch
    {
        NumberDataPoint.ValueOneofCase.AsInt => point.AsInt,
        NumberDataPoint.ValueOneofCase.AsDouble => point.AsDouble,
        _ => 0,
    };
}
