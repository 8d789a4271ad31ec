namespace PhonicAspire.Benchmarks.Load;

/// <summary>Percentiles of a load generator's answer times.</summary>
public sealed record LatencySummary(TimeSpan P50, TimeSpan P99, int Count);
