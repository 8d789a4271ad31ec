using System.ComponentModel.DataAnnotations.Schema;

namespace PhonicAspire.Worker.Persistence.Entities;

/// <summary>One turn of a conversation, as of the applied conversation.ended.</summary>
[Table("conversation_items")]
public sealed class ConversationItem
{
    public required string ConversationId { get; set; }
    public int ItemIdx { get; set; }
    public string? ItemId { get; set; }
    public string? Role { get; set; }
    public string? LiveTranscript { get; set; }
    public string? PostCallTranscript { get; set; }
    public string? RedactedTranscript { get; set; }
    public double? DurationMs { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public string? VoiceId { get; set; }
    public double? AudioSpeed { get; set; }
    public string? SystemPrompt { get; set; }
}
