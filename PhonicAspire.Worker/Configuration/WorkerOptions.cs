using System.ComponentModel.DataAnnotations;

namespace PhonicAspire.Worker.Configuration;

/// <summary>How the worker drains the webhook stream; bound from the <c>Worker</c> section and checked at start-up.</summary>
public sealed class WorkerOptions
{
    public const string SectionName = "Worker";

    /// <summary>Entries read and stored per transaction (at most 5,000: they are acknowledged in one Redis script).</summary>
    /// <remarks>
    /// 250 with <see cref="StoreConcurrency"/> at four keeps the 1,000 entries in flight that 500 at two did, and
    /// with them a worker's memory: <c>scripts/bench --only drain</c> peaked at 181 MB against 214 MB with 500 at four
    /// and 185 MB with 500 at two, and drained 5,896 against 5,172 and 4,771 events/s (one run each, in a row).
    /// </remarks>
    [Range(1, 5_000)]
    public int BatchSize { get; set; } = 250;

    /// <summary>
    /// The most bytes of entries (bodies and fields) read at once, whatever <see cref="BatchSize"/> allows: with
    /// bodies of up to 2 MiB, 500 entries could otherwise hold a gigabyte. A larger entry is still read, alone.
    /// </summary>
    [Range(64 * 1024, 1024L * 1024 * 1024)]
    public long MaxBatchBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Batches stored at once, each in its own transaction on its own connection: while one commits, the next is
    /// read and parsed, and PostgreSQL can use more than one core.
    /// </summary>
    /// <remarks>
    /// Four rather than two, measured with <c>scripts/bench --only end-to-end</c> (3,000 deliveries/s while the API,
    /// Redis and PostgreSQL share two cores; four runs each, alternating): with two, the worker fell behind in half
    /// the runs and stored_at − received_at reached 1.6–3.0 s at p50 (41–3,030 ms over the four; p99 0.75–3.7 s);
    /// with four, p50 was 73–111 ms and p99 0.54–1.03 s. With batches of 500 it cost a draining worker up to 29 MB
    /// more at its peak, which <see cref="BatchSize"/> now takes back; it still costs two more connections.
    /// </remarks>
    [Range(1, 16)]
    public int StoreConcurrency { get; set; } = 4;

    /// <summary>An entry unacknowledged for this long belongs to a consumer presumed dead and is claimed by another.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ClaimIdleTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Attempts to store one entry on its own before it is moved, with the reason, to the dead-letter stream; and the
    /// deliveries of one entry to consumers (counted by Redis, so crashes count) after which an entry still not
    /// acknowledged is moved there instead of taking another worker down.
    /// </summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The longest pause between reads of an idle stream; the pause starts short and doubles while idle.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:05")]
    public TimeSpan MaxIdleDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest back-off while PostgreSQL or Redis is unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan MaxOutageDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often stream length, pending count and dead letters are measured for the metrics.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(5);
}
