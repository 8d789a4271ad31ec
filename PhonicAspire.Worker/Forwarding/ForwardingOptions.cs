using System.ComponentModel.DataAnnotations;

namespace PhonicAspire.Worker.Forwarding;

/// <summary>
/// Where verified events are forwarded, bound from the <c>Forwarding</c> section and checked at start-up. Each
/// destination is keyed by its name (<c>Forwarding:Destinations:crm:Url</c>), which also names its consumer group
/// and labels its metrics.
/// </summary>
public sealed class ForwardingOptions
{
    public const string SectionName = "Forwarding";

    public Dictionary<string, ForwardingDestination> Destinations { get; set; } = [];

    /// <summary>
    /// PhonicAspire's own <c>whsec_…</c> secret, which destinations verify forwards with; required with any destination.
    /// Several, separated by spaces, while it is rotated: each signs every forward.
    /// </summary>
    public string? SigningSecret { get; set; }

    /// <summary>An event not delivered to a destination this long after its receipt goes to the forwarding dead letters.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The first pause after a failed forward; it doubles with every failure, up to <see cref="MaxRetryDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one attempt may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Forwards in flight at once per destination in each worker replica (the destination sees this times the
    /// replicas): a slow destination should not take one event at a time.
    /// </summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 16;

    /// <summary>
    /// Events a destination holds at once in each worker replica, being forwarded or waiting to be tried again. An event the destination
    /// keeps failing holds one of these until it is delivered or expires, and none of the events behind it.
    /// </summary>
    [Range(1, 100_000)]
    public int InFlight { get; set; } = 1_000;

    /// <summary>
    /// Bytes of those events a destination holds at once in each worker replica, whichever of this and
    /// <see cref="InFlight"/> comes first: 1,000 bodies of 2 MiB would otherwise hold 2 GiB while the destination is
    /// down. The last event taken may cross it: a read takes at least one, however large.
    /// </summary>
    [Range(64 * 1024, 64L * 1024 * 1024 * 1024)]
    public long InFlightBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Past this many forwarding dead letters, the oldest go (their events stay in PostgreSQL), so a dead destination cannot fill Redis.</summary>
    [Range(1, 100_000_000)]
    public long MaxDeadLetters { get; set; } = 100_000;
}
