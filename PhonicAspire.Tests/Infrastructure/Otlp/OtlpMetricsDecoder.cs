namespace PhonicAspire.Tests.Infrastructure.Otlp;

/// <summary>
/// Decodes ExportMetricsServiceRequest (opentelemetry/proto/collector/metrics/v1): which metrics were reported,
/// and the data points of sums (counters), whose values tests compare. Field numbers are those of
/// opentelemetry/proto/metrics/v1/metrics.proto.
/// </summary>
internal static class OtlpMetricsDecoder
{
    public static (List<CollectedMetric> Metrics, List<CollectedDataPoint> Points) Decode(ReadOnlySpan<byte> request)
    {
        var metrics = new List<CollectedMetric>();
        var points = new List<CollectedDataPoint>();
        OtlpEnvelopeDecoder.ForEachItem(request, (source, meterName, metric) =>
        {
            var (name, sumPoints) = ReadMetric(metric);
            metrics.Add(new CollectedMetric(source.ServiceName, meterName, name));
            points.AddRange(sumPoints.Select(point => new CollectedDataPoint(
                source.ServiceName, source.InstanceId, meterName, name, point.Attributes, point.Value, point.TimeUnixNano)));
        });
        return (metrics, points);
    }

    /// <summary>Metric{ string name = 1; Sum sum = 7 }.</summary>
    private static (string Name, List<NumberDataPoint> SumPoints) ReadMetric(ReadOnlySpan<byte> metric)
    {
        var name = "";
        var points = new List<NumberDataPoint>();
        var reader = new ProtobufReader(metric);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireType.LengthDelimited):
                    name = OtlpCommonDecoder.ReadString(ref reader);
                    break;
                case (7, WireType.LengthDelimited):
                    ReadSum(reader.ReadLengthDelimited(), points);
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return (name, points);
    }

    /// <summary>Sum{ repeated NumberDataPoint data_points = 1 }.</summary>
    private static void ReadSum(ReadOnlySpan<byte> sum, List<NumberDataPoint> points)
    {
        var reader = new ProtobufReader(sum);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == WireType.LengthDelimited)
            {
                points.Add(ReadNumberDataPoint(reader.ReadLengthDelimited()));
            }
            else
            {
                reader.Skip(wireType);
            }
        }
    }

    /// <summary>NumberDataPoint{ fixed64 time_unix_nano = 3; double as_double = 4; sfixed64 as_int = 6; repeated KeyValue attributes = 7 }.</summary>
    private static NumberDataPoint ReadNumberDataPoint(ReadOnlySpan<byte> point)
    {
        var attributes = new Dictionary<string, string>();
        double value = 0;
        ulong time = 0;
        var reader = new ProtobufReader(point);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (3, WireType.Fixed64):
                    time = reader.ReadFixed64();
                    break;
                case (4, WireType.Fixed64):
                    value = BitConverter.UInt64BitsToDouble(reader.ReadFixed64());
                    break;
                case (6, WireType.Fixed64):
                    value = (long)reader.ReadFixed64();
                    break;
                case (7, WireType.LengthDelimited):
                    var (key, text) = OtlpCommonDecoder.ReadKeyValue(reader.ReadLengthDelimited());
                    attributes[key] = text;
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new NumberDataPoint(attributes, value, time);
    }

    private sealed record NumberDataPoint(IReadOnlyDictionary<string, string> Attributes, double Value, ulong TimeUnixNano);
}
