namespace PhonicAspire.Worker.Phonic;

/// <summary>The <c>event_type</c> values whose <c>data.conversation</c> the worker understands.</summary>
public static class PhonicEventTypes
{
    public const string ConversationEnded = "conversation.ended";
    public const string ConversationAnalysis = "conversation.analysis";
    public const string ConversationTransferred = "conversation.transferred";

    public static bool IsKnown(string? eventType) =>
        eventType is ConversationEnded or ConversationAnalysis or ConversationTransferred;
}
