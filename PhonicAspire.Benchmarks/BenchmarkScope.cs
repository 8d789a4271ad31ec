namespace PhonicAspire.Benchmarks;

/// <summary>What one run measures.</summary>
public enum BenchmarkScope
{
    Everything,

    /// <summary>
    /// <c>--only ingest</c>: the ingest rows (API, baseline, peers, Redis ceilings) and the API's memory, without
    /// the drain and end to end; for working on ingest, not for the README's table.
    /// </summary>
    Ingest,

    /// <summary>
    /// <c>--only drain</c>: the drain rounds, the raw COPY baseline and the workers' memory, without ingest and end
    /// to end; for working on the drain, not for the README's table.
    /// </summary>
    Drain,

    /// <summary>
    /// <c>--only end-to-end</c>: end to end with one worker and the memory of the API and that worker, without
    /// ingest and the drain; for working on end to end, not for the README's table.
    /// </summary>
    EndToEnd,
}
