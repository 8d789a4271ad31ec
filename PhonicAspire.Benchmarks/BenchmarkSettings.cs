namespace PhonicAspire.Benchmarks;

/// <summary>The sizes and durations of one run, chosen so that the whole run stays within about five minutes.</summary>
public sealed record BenchmarkSettings(
    int IngestConnections,
    TimeSpan IngestWarmUp,
    TimeSpan IngestDuration,
    int IngestPoolSize,
    int RedisCeilingRequests,
    int DrainEvents,
    int DrainWorkers,
    TimeSpan DrainLimit,
    double EndToEndRate,
    TimeSpan EndToEndWarmUp,
    TimeSpan EndToEndDuration,
    TimeSpan EndToEndStoreLimit,
    TimeSpan WholeRunLimit)
{
    public static BenchmarkSettings Default { get; } = new(
        IngestConnections: 32,
        // Long enough for every server to reach its steady state: measured with the API alone, a 3 s warm-up left
        // the JIT compiling for a fifth of the API's CPU inside the window (perf: libclrjit 19.6%, 171 us per delivery),
        // a 10 s one did not (1.0%, 73-75 us); Node's JIT gets the same time.
        IngestWarmUp: TimeSpan.FromSeconds(10),
        IngestDuration: TimeSpan.FromSeconds(10),
        // Fresh svix ids for the API at up to ~20,000 deliveries/s over warm-up and measurement, half for each;
        // running out is reported.
        IngestPoolSize: 400_000,
        // Several seconds at the ~30,000 appends/s seen on this kind of machine, each a 2.6 KB entry fsynced.
        RedisCeilingRequests: 200_000,
        DrainEvents: 20_000,
        // Rounds with one, two and three worker replicas; the stack starts with this many.
        DrainWorkers: 3,
        DrainLimit: TimeSpan.FromSeconds(90),
        // Receipt-to-commit p99 is judged at a steady 3,000 deliveries/s (open loop).
        EndToEndRate: 3_000,
        // The same rate first, stored and not measured: in the first two seconds after a worker was started for
        // the run, the per-second p50 of stored_at - received_at was 0.6-1.4 s (three runs) while it and the API
        // compiled their paths, and it was steady from the sixth to the tenth second on; the API's JIT wants the 10 s
        // that ingest gives it.
        EndToEndWarmUp: TimeSpan.FromSeconds(10),
        EndToEndDuration: TimeSpan.FromSeconds(20),
        EndToEndStoreLimit: TimeSpan.FromSeconds(60),
        WholeRunLimit: TimeSpan.FromMinutes(10));
}
