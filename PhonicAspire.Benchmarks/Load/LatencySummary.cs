namespace PhonicAspire.Benchmarks.Load;

/// <summary>Nearest-rank percentiles of a set of latencies.</summary>
public sealed record LatencySummary(TimeSpan P50, TimeSpan P99, int Count)
{
    public static LatencySummary Of(IEnumerable<TimeSpan> latencies)
    {
        var sorted = latencies.Order().ToArray();
        return sorted.Length == 0
            ? new LatencySummary(TimeSpan.Zero, TimeSpan.Zero, 0)
            : new LatencySummary(Rank(sorted, 0.50), Rank(sorted, 0.99), sorted.Length);
    }

    private static TimeSpan Rank(TimeSpan[] sorted, double percentile) =>
        sorted[Math.Clamp((int)Math.Ceiling(percentile * sorted.Length) - 1, 0, sorted.Length - 1)];
}
