using PhonicAspire.Worker.Projections;

namespace PhonicAspire.Worker.Phonic;

/// <summary>
/// What one webhook body says, as far as it could be understood. <see cref="Update"/> is set only when the body is
/// a well-formed event of a projected type whose JSON PostgreSQL can store.
/// </summary>
/// <param name="Payload">The body as jsonb-storable JSON (without a byte order mark), or null when it is not.</param>
/// <param name="ParseError">Why the body is not a usable Phonic event, or null when it is.</param>
/// <param name="Update">What the event changes in its conversation.</param>
public sealed record PhonicEvent(
    string? EventType,
    DateTimeOffset? CreatedAt,
    string? ConversationId,
    ReadOnlyMemory<byte>? Payload,
    string? ParseError,
    ConversationUpdate? Update = null);
