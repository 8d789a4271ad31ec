namespace PhonicAspire.Worker.Projections;

/// <summary>Every event type the worker projects into conversations; a new Phonic event type is one more here.</summary>
public static class ConversationProjections
{
    public static IReadOnlyList<ConversationProjection> All { get; } =
    [
        new ConversationEndedProjection(),
        new ConversationAnalysisProjection(),
        new ConversationTransferredProjection(),
    ];

    public static ConversationProjection? Find(string? eventType) =>
        All.FirstOrDefault(projection => projection.EventType == eventType);
}
