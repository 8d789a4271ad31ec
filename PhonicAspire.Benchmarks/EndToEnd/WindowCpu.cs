namespace PhonicAspire.Benchmarks.EndToEnd;

/// <summary>
/// Where the cores went while the window's deliveries passed through: the CPU time of each part of the stack, as Linux
/// counts it per process, and the machine's busy time, which also holds the load generator, the benchmark's own
/// OTLP receiver and the kernel's threads. Shows whether a latency missed comes from cores left without room, which
/// the stack's own figures cannot tell.
/// </summary>
/// <param name="Elapsed">From the window's deliveries going to wrk until the worker had acknowledged all of them.</param>
/// <param name="Api">The API's process.</param>
/// <param name="Worker">The worker's.</param>
/// <param name="Postgres">Every PostgreSQL process's together: backends, WAL writer, checkpointer, autovacuum.</param>
/// <param name="Redis">Redis's, with any child it forked to rewrite its append-only file or save a snapshot.</param>
/// <param name="MachineBusy">Every core's busy time together, the stack's included.</param>
/// <param name="Cores">The machine's cores.</param>
public sealed record WindowCpu(
    TimeSpan Elapsed, TimeSpan Api, TimeSpan Worker, TimeSpan Postgres, TimeSpan Redis, TimeSpan MachineBusy, int Cores)
{
    /// <summary>The machine's busy time that none of the stack's processes spent.</summary>
    public TimeSpan Rest => MachineBusy - Api - Worker - Postgres - Redis;

    /// <summary>How many cores were busy, on average over the window.</summary>
    public double BusyCores => MachineBusy / Elapsed;
}
