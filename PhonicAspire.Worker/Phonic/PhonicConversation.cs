namespace PhonicAspire.Worker.Phonic;

/// <summary>The fields of a <c>conversation.ended</c> conversation that get their own columns.</summary>
public sealed record PhonicConversation
{
    public required string Id { get; init; }
    public string? AgentId { get; init; }
    public string? AgentName { get; init; }
    public string? Workspace { get; init; }
    public string? ProjectId { get; init; }
    public string? ProjectName { get; init; }
    public string? ExternalId { get; init; }
    public string? Origin { get; init; }
    public string? Model { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? EndedAt { get; init; }
    public string? EndedBy { get; init; }
    public double? DurationMs { get; init; }
    public string? LiveTranscript { get; init; }
    public string? PostCallTranscript { get; init; }
    public string? AudioUrl { get; init; }
    public string? DefaultLanguage { get; init; }
    public string[]? AdditionalLanguages { get; init; }
    public PhonicCallInfo? CallInfo { get; init; }
    public IReadOnlyList<PhonicItem> Items { get; init; } = [];
}
