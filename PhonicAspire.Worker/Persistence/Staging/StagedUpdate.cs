using PhonicAspire.Worker.Projections;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// What a copied event changes in its conversation, kept for its staging rows: the entities the projection read,
/// without the parsed body they came from (its document and payload, several times the body's size), which is
/// not kept while the batch is merged and committed.
/// </summary>
internal sealed record StagedUpdate(string SvixId, string EventType, string ConversationId, DateTimeOffset? CreatedAt, ConversationUpdate Update)
{
    public ConversationProjection Projection => Update.Projection;
}
