namespace PhonicAspire.Webhooks;

/// <summary>
/// The <c>event_type</c> values Phonic sends and PhonicAspire understands: the API labels deliveries with them, the
/// worker projects each into its conversation, the AppHost and the command line offer a sample of each.
/// </summary>
public static class PhonicEventTypes
{
    public const string ConversationEnded = "conversation.ended";
    public const string ConversationAnalysis = "conversation.analysis";
    public const string ConversationTransferred = "conversation.transferred";

    public static IReadOnlyList<string> All { get; } = [ConversationEnded, ConversationAnalysis, ConversationTransferred];

    public static bool IsKnown(string? eventType) => eventType is not null && All.Contains(eventType);
}
