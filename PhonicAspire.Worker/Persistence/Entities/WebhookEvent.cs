using System.ComponentModel.DataAnnotations.Schema;

namespace PhonicAspire.Worker.Persistence.Entities;

/// <summary>One delivered webhook, kept exactly as received whether or not it could be understood.</summary>
[Table("webhook_events")]
public sealed class WebhookEvent
{
    public required string SvixId { get; set; }
    public string? EventType { get; set; }
    public string? ConversationId { get; set; }

    /// <summary>The event's own <c>created_at</c>.</summary>
    public DateTimeOffset? CreatedAt { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public DateTimeOffset StoredAt { get; set; }
    public required byte[] RawBody { get; set; }

    /// <summary>The body as jsonb; null when it is not JSON PostgreSQL can store.</summary>
    [Column(TypeName = "jsonb")]
    public string? Payload { get; set; }
    public string? ParseError { get; set; }
}
