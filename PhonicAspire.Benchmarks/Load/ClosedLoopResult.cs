namespace PhonicAspire.Benchmarks.Load;

/// <param name="PoolExhausted">The pre-signed deliveries ran out before the window ended: the rate is a lower bound.</param>
public sealed record ClosedLoopResult(double PerSecond, LatencySummary Latency, int Unexpected, bool PoolExhausted);
