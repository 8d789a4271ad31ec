namespace PhonicAspire.Testing.Otlp;

/// <summary>
/// One data point of a sum (a counter) as an exporter sent it: cumulative since its process started, so compare
/// points of the same <see cref="InstanceId"/> (a restarted service starts counting again).
/// </summary>
public sealed record CollectedDataPoint(
    string ServiceName,
    string InstanceId,
    string MeterName,
    string MetricName,
    IReadOnlyDictionary<string, string> Attributes,
    double Value,
    ulong TimeUnixNano)
{
    public DateTimeOffset Time => DateTimeOffset.UnixEpoch.AddTicks((long)(TimeUnixNano / 100));
}
