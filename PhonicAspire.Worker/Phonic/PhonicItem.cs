namespace PhonicAspire.Worker.Phonic;

/// <summary>One turn of a conversation.</summary>
/// <param name="ItemIdx">Phonic's <c>item_idx</c>, or the position in <c>items[]</c> when the items' own indexes cannot serve as a key.</param>
public sealed record PhonicItem(int ItemIdx)
{
    public string? Id { get; init; }
    public string? Role { get; init; }
    public string? LiveTranscript { get; init; }
    public string? PostCallTranscript { get; init; }
    public string? RedactedTranscript { get; init; }
    public double? DurationMs { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public string? VoiceId { get; init; }
    public double? AudioSpeed { get; init; }
    public string? SystemPrompt { get; init; }
    public IReadOnlyList<PhonicToolCall> ToolCalls { get; init; } = [];
}
