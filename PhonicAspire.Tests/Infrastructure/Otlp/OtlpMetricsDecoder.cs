namespace PhonicAspire.Tests.Infrastructure.Otlp;

/// <summary>
/// Decodes ExportMetricsServiceRequest (opentelemetry/proto/collector/metrics/v1) down to which metrics were
/// reported; data points are skipped. Field numbers are those of opentelemetry/proto/metrics/v1/metrics.proto.
/// </summary>
internal static class OtlpMetricsDecoder
{
    /// <summary>ExportMetricsServiceRequest{ repeated ResourceMetrics resource_metrics = 1 }.</summary>
    public static List<CollectedMetric> Decode(ReadOnlySpan<byte> request)
    {
        var metrics = new List<CollectedMetric>();
        var reader = new ProtobufReader(request);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == WireType.LengthDelimited)
            {
                ReadResourceMetrics(reader.ReadLengthDelimited(), metrics);
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return metrics;
    }

    /// <summary>
    /// ResourceMetrics{ Resource resource = 1; repeated ScopeMetrics scope_metrics = 2 }. The resource may come after
    /// the scopes on the wire, so scopes are copied aside until the service name is known.
    /// </summary>
    private static void ReadResourceMetrics(ReadOnlySpan<byte> resourceMetrics, List<CollectedMetric> metrics)
    {
        var serviceName = "";
        var scopes = new List<byte[]>();
        var reader = new ProtobufReader(resourceMetrics);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireType.LengthDelimited):
                    serviceName = OtlpCommonDecoder.ReadServiceName(reader.ReadLengthDelimited());
                    break;
                case (2, WireType.LengthDelimited):
                    scopes.Add(reader.ReadLengthDelimited().ToArray());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        foreach (var scope in scopes)
        {
            ReadScopeMetrics(scope, serviceName, metrics);
        }
    }

    /// <summary>ScopeMetrics{ InstrumentationScope scope = 1; repeated Metric metrics = 2 }, same ordering caveat.</summary>
    private static void ReadScopeMetrics(ReadOnlySpan<byte> scopeMetrics, string serviceName, List<CollectedMetric> metrics)
    {
        var meterName = "";
        var names = new List<string>();
        var reader = new ProtobufReader(scopeMetrics);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireType.LengthDelimited):
                    meterName = OtlpCommonDecoder.ReadScopeName(reader.ReadLengthDelimited());
                    break;
                case (2, WireType.LengthDelimited):
                    names.Add(ReadMetricName(reader.ReadLengthDelimited()));
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        metrics.AddRange(names.Select(name => new CollectedMetric(serviceName, meterName, name)));
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
