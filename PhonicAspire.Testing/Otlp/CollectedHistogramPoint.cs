namespace PhonicAspire.Testing.Otlp;

/// <summary>
/// One data point of an explicit-bucket histogram as an exporter sent it, cumulative since
/// <see cref="StartTimeUnixNano"/>: a process that restarts starts a new series with a new start time.
/// </summary>
/// <param name="Counts">Its buckets and how many measurements fell in each so far.</param>
public sealed record CollectedHistogramPoint(
    string ServiceName,
    string InstanceId,
    IReadOnlyDictionary<string, string> Attributes,
    ulong StartTimeUnixNano,
    ulong TimeUnixNano,
    HistogramCounts Counts)
{
    public DateTimeOffset Time => DateTimeOffset.UnixEpoch.AddTicks((long)(TimeUnixNano / 100));

    /// <summary>Which cumulative series the point belongs to: the same series in a later export grows from it.</summary>
    public (string ServiceName, string InstanceId, ulong StartTimeUnixNano, string Attributes) Series =>
        (ServiceName, InstanceId, StartTimeUnixNano, string.Join(',', Attributes.OrderBy(attribute => attribute.Key, StringComparer.Ordinal)));

    /// <summary>
    /// What <paramref name="serviceName"/> measured between two snapshots of a histogram's latest points: each series'
    /// growth, and the whole of a series that began after the first (a restarted process).
    /// </summary>
    public static HistogramCounts GrowthBetween(
        IReadOnlyList<CollectedHistogramPoint> earlier, IReadOnlyList<CollectedHistogramPoint> later, string serviceName)
    {
        var before = earlier.ToDictionary(point => point.Series);
        var growths = later
            .Where(point => point.ServiceName == serviceName)
            .Select(point => before.TryGetValue(point.Series, out var start) ? point.Counts.Since(start.Counts) : point.Counts)
            .ToList();
        return growths.Count > 0
            ? growths.Aggregate((total, growth) => total.Plus(growth))
            : throw new InvalidOperationException($"The later snapshot has no series of {serviceName}.");
    }
}
