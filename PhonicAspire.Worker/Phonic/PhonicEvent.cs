namespace PhonicAspire.Worker.Phonic;

/// <summary>
/// What one webhook body says, as far as it could be understood. At most one of <see cref="Ended"/>,
/// <see cref="Analysis"/> and <see cref="Transfer"/> is set, and only when the body is a well-formed event of that
/// type whose JSON PostgreSQL can store.
/// </summary>
/// <param name="Payload">The body as jsonb-storable JSON (without a byte order mark), or null when it is not.</param>
/// <param name="ParseError">Why the body is not a usable Phonic event, or null when it is.</param>
public sealed record PhonicEvent(
    string? EventType,
    DateTimeOffset? CreatedAt,
    string? ConversationId,
    ReadOnlyMemory<byte>? Payload,
    string? ParseError,
    PhonicConversation? Ended = null,
    PhonicAnalysis? Analysis = null,
    PhonicTransfer? Transfer = null)
{
    public bool UpdatesConversation => Ended is not null || Analysis is not null || Transfer is not null;
}
