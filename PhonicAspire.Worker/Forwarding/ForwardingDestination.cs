using System.ComponentModel.DataAnnotations;

namespace PhonicAspire.Worker.Forwarding;

/// <summary>One service that receives every verified event, or those of the listed types.</summary>
public sealed class ForwardingDestination
{
    [Required]
    public Uri? Url { get; set; }

    /// <summary>Only these event types are forwarded; all when empty.</summary>
    public List<string> EventTypes { get; set; } = [];

    public bool Accepts(string? eventType) => EventTypes.Count == 0 || eventType is not null && EventTypes.Contains(eventType, StringComparer.Ordinal);
}
