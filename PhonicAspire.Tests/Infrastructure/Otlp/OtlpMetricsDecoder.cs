namespace PhonicAspire.Tests.Infrastructure.Otlp;

/// <summary>
/// Decodes ExportMetricsServiceRequest (opentelemetry/proto/collector/metrics/v1) down to which metrics were
/// reported; data points are skipped. Field numbers are those of opentelemetry/proto/metrics/v1/metrics.proto.
/// </summary>
internal static class OtlpMetricsDecoder
{
    public static List<CollectedMetric> Decode(ReadOnlySpan<byte> request)
    {
        var metrics = new List<CollectedMetric>();
        OtlpEnvelopeDecoder.ForEachItem(request, (serviceName, meterName, metric) =>
            metrics.Add(new CollectedMetric(serviceName, meterName, ReadMetricName(metric))));
        return metrics;
    }

    /// <summary>Metric{ string name = 1 }.</summary>
    private static string ReadMetricName(ReadOnlySpan<byte> metric)
    {
        var reader = new ProtobufReader(metric);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == WireType.LengthDelimited)
            {
                return OtlpCommonDecoder.ReadString(ref reader);
            }

            reader.Skip(wireType);
        }

        return "";
    }
}
