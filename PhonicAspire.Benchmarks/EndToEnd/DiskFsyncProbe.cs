namespace PhonicAspire.Benchmarks.EndToEnd;

/// <summary>
/// The disk's own fsync latency, with the stack idle: an entry's worth of bytes appended and fsynced, one after
/// another, in the folder where Redis and PostgreSQL keep their data, as Redis's <c>appendfsync always</c> does for
/// every delivery. A delivery is stored only after at least two fsyncs of this disk (Redis's append, PostgreSQL's
/// commit), so a stall measured here is one that no code above the disk takes away.
/// </summary>
public sealed class DiskFsyncProbe(string directory, TimeProvider timeProvider)
{
    private const int EntryBytes = 3 * 1024;

    public static TimeSpan StallThreshold { get; } = TimeSpan.FromMilliseconds(20);

    public Task<DiskFsyncLatency> RunAsync(TimeSpan duration, CancellationToken cancellationToken) =>
        Task.Run(() => Probe(duration, cancellationToken), cancellationToken);

    private DiskFsyncLatency Probe(TimeSpan duration, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, $"fsync-probe-{Guid.NewGuid():N}");
        var entry = new byte[EntryBytes];
        var latencies = new List<TimeSpan>();
        try
        {
            using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            var started = timeProvider.GetTimestamp();
            while (timeProvider.GetElapsedTime(started) < duration)
            {
                cancellationToken.ThrowIfCancellationRequested();
                file.Write(entry);
                var flushing = timeProvider.GetTimestamp();
                file.Flush(flushToDisk: true);
                latencies.Add(timeProvider.GetElapsedTime(flushing));
            }
        }
        finally
        {
            File.Delete(path);
        }

        return DiskFsyncLatency.Of([.. latencies.Order()]);
    }
}

/// <param name="Stalls">How many fsyncs took <see cref="DiskFsyncProbe.StallThreshold"/> or longer.</param>
public sealed record DiskFsyncLatency(int Count, TimeSpan P50, TimeSpan P99, TimeSpan P999, TimeSpan Max, int Stalls)
{
    public static DiskFsyncLatency Of(TimeSpan[] sorted) => new(
        sorted.Length,
        NearestRank(sorted, 0.50),
        NearestRank(sorted, 0.99),
        NearestRank(sorted, 0.999),
        sorted[^1],
        sorted.Count(latency => latency >= DiskFsyncProbe.StallThreshold));

    private static TimeSpan NearestRank(TimeSpan[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
