namespace PhonicAspire.Benchmarks.Load;

/// <param name="PoolExhausted">The pre-signed deliveries ran out before the window ended: the rate is a lower bound.</param>
/// <param name="ServerCpuPerAnswer">
/// The server process's CPU time (user and system) over the window, divided by the answers in it.
/// </param>
public sealed record ClosedLoopResult(double PerSecond, LatencySummary Latency, int Unexpected, bool PoolExhausted, TimeSpan ServerCpuPerAnswer);
