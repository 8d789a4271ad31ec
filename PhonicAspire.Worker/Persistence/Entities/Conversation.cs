using System.ComponentModel.DataAnnotations.Schema;

namespace PhonicAspire.Worker.Persistence.Entities;

/// <summary>
/// One Phonic conversation, assembled from its events. Each event type owns a group of columns and records the
/// version (<c>created_at</c>, svix id) of the event that last wrote them, so that events applied in any order
/// and any number of times leave the same row.
/// </summary>
[Table("conversations")]
public sealed class Conversation
{
    public required string Id { get; set; }

    // Written by conversation.ended.
    public string? AgentId { get; set; }
    public string? AgentName { get; set; }
    public string? Workspace { get; set; }
    public string? ProjectId { get; set; }
    public string? ProjectName { get; set; }
    public string? ExternalId { get; set; }
    public string? Origin { get; set; }
    public string? Model { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndedBy { get; set; }
    public double? DurationMs { get; set; }
    public string? FromPhoneNumber { get; set; }
    public string? ToPhoneNumber { get; set; }
    public string? TwilioCallSid { get; set; }
    public string? LiveTranscript { get; set; }
    public string? PostCallTranscript { get; set; }
    public string? AudioUrl { get; set; }
    public string? DefaultLanguage { get; set; }
    public string[]? AdditionalLanguages { get; set; }

    /// <summary>
    /// The rest of the applied conversation.ended's <c>data.conversation</c> as jsonb: every field without a
    /// column of its own here or in conversation_items (the whole object stays in webhook_events.payload).
    /// </summary>
    [Column(TypeName = "jsonb")]
    public string? Details { get; set; }
    public DateTimeOffset? EndedEventCreatedAt { get; set; }
    public string? EndedEventSvixId { get; set; }

    // Written by conversation.analysis.
    public double?[]? LatenciesMs { get; set; }
    public int? InterruptionsCount { get; set; }
    public DateTimeOffset? AnalysisEventCreatedAt { get; set; }
    public string? AnalysisEventSvixId { get; set; }

    // Written by conversation.transferred.
    public string? TransferredTo { get; set; }

    /// <summary>The transfer's <c>items</c> (role and text), as jsonb.</summary>
    [Column(TypeName = "jsonb")]
    public string? TransferredItems { get; set; }
    public DateTimeOffset? TransferredEventCreatedAt { get; set; }
    public string? TransferredEventSvixId { get; set; }
}
