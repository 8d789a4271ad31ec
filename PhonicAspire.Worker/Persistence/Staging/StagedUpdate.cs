using PhonicAspire.Worker.Projections;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// What a copied event changes in its conversation, as its staged_updates row: the <c>fields</c> already written as
/// JSON, so that the parsed event (its payload and entities, several times the body's size) is not kept while the
/// batch is merged and committed.
/// </summary>
internal sealed record StagedUpdate(
    string SvixId, string EventType, string ConversationId, DateTimeOffset? CreatedAt, ConversationProjection Projection, byte[] Fields);
