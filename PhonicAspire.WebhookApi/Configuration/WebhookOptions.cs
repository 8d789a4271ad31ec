using System.ComponentModel.DataAnnotations;

namespace PhonicAspire.WebhookApi.Configuration;

/// <summary>How the API receives Phonic's deliveries; bound from the <c>Phonic</c> section and checked at start-up.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Phonic";

    /// <summary>One or more <c>whsec_…</c> secrets separated by whitespace or commas (several while rotating).</summary>
    public string? WebhookSecrets { get; set; }

    /// <summary>Larger bodies are refused with 413 without being read further. Phonic's bodies reach 1 MiB.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>
    /// How much memory bodies still arriving may hold beyond the first 64 KiB of each; past it a large body gets 503
    /// at once, unread. Clients that announce megabytes and stall thus cost at most this much. It must hold one body of
    /// <see cref="MaxBodyBytes"/> as the buffer pool rounds it (a power of two), less the first 64 KiB: start-up checks.
    /// </summary>
    [Range(1024 * 1024, 1024L * 1024 * 1024)]
    public long MaxInFlightBodyBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>How long a delivery may wait for Redis before it gets 503, well inside Svix's 15 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long an accepted svix id is remembered so that a retry is answered without queueing it again; longer
    /// than Svix's whole retry schedule (about 27 hours).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan AcceptedIdRetention { get; set; } = TimeSpan.FromDays(3);

    /// <summary>
    /// Acknowledge deliveries even on a Redis whose settings could lose them (AOF off, fsync less often than every
    /// write, or an eviction policy), as on a managed service without <c>appendfsync always</c>. Off by default: a
    /// 2xx then means the webhook is on disk.
    /// </summary>
    public bool AcceptNonDurableRedis { get; set; }

    /// <summary>How often Redis's durability settings are read again (an operator can change them at any time).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DurabilityCheckInterval { get; set; } = TimeSpan.FromSeconds(30);
}
