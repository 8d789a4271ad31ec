namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// What PostgreSQL is told, in both modes, as <c>-c name=value</c> arguments to its server. Here Redis and
/// PostgreSQL share one disk, and every acknowledgement the API gives waits for Redis's fsync of its AOF, as every
/// stored batch waits for PostgreSQL's commit: PostgreSQL must not leave its data-file writes to pile up in the
/// kernel, which writes them back all at once, with Redis's fsyncs queued behind them, nor hold every commit while it
/// writes a new WAL segment full of zeros.
/// </summary>
internal static class PostgresServerSettings
{
    /// <remarks>
    /// <c>backend_flush_after</c> (off by default) has each connection start the writeback of what it wrote once it
    /// has written this much, so the data reaches the disk as it is written. Measured with
    /// <c>scripts/bench --only end-to-end</c> (3,000 deliveries/s, three alternating pairs): without it, the kernel held up
    /// to 440 MB of PostgreSQL's writes and wrote them back at once 30 s after they were written, and one of Redis's
    /// fsyncs took 854 ms; with it, stored_at − received_at p99 was 141, 154 and 285 ms against 219, 412 and 411 ms,
    /// and p50 29-104 against 79-116 ms. <c>scripts/bench --only drain</c> (two pairs) showed no cost beyond its
    /// run-to-run spread: one worker stored 5,667 and 5,985 events/s against 6,526 and 5,978, three 5,525 and 5,856
    /// against 4,926 and 4,226.
    /// <para>
    /// <c>wal_init_zero=off</c>: a new 16 MB WAL segment is created by writing only its last byte instead of 16 MB of
    /// zeros (the file is fsynced either way). PostgreSQL creates a segment in whichever process first writes WAL into
    /// it, nearly always a commit, while it holds the WAL write lock, so every commit waits behind 16 MB written and
    /// flushed to the disk Redis fsyncs on. A young cluster, or a burst of WAL beyond the segments it recycles, needs a
    /// new one about every 0.8 s at 3,000 deliveries/s (about 7 kB of WAL each). Recovery does not rely on the zeros.
    /// In a <c>perf</c> profile of <c>scripts/bench --only drain</c>, 6% of PostgreSQL's samples were that
    /// zero-filling, 302 of 350 inside a commit. Measured with <c>scripts/bench --only end-to-end</c> (three
    /// alternating pairs): stored_at − received_at p99 31.9, 30.7 and 34.4 ms against 47.2, 51.7 and 56.9 ms.
    /// <c>--only drain</c> (four pairs) did not gain, slower in three pairs but within its spread: WAL written into an
    /// unfilled segment allocates its blocks as it goes, so a commit's fdatasync also journals that allocation; what
    /// goes is the stall every commit shared. A recycled segment has its blocks already.
    /// </para>
    /// </remarks>
    private static readonly Dictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["backend_flush_after"] = "256kB",
        ["wal_init_zero"] = "off",
    };

    public static IEnumerable<string> Arguments => Settings.SelectMany(setting => new[] { "-c", $"{setting.Key}={setting.Value}" });
}
