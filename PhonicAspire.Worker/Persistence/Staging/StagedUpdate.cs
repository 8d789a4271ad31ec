using PhonicAspire.Worker.Projections;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// What a copied event changes in its conversation, as staged_rows rows in binary COPY's format
/// (<see cref="ConversationMerge.Stage"/>): its conversation columns, then its turns and tool calls, if it carries any.
/// The parsed event (its payload and entities, several times the body's size) is not kept while the batch is merged
/// and committed.
/// </summary>
internal sealed record StagedUpdate(ConversationProjection Projection, byte[] Rows)
{
    public long Bytes => Rows.Length;
}
