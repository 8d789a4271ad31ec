using PhonicAspire.Worker.Projections;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// What a copied event changes in its conversation, as its staging tables' rows in binary COPY's format
/// (<see cref="ConversationMerge.Stage"/>): the parsed event (its payload and entities, several times the body's
/// size) is not kept while the batch is merged and committed.
/// </summary>
/// <param name="UpdateRow">Its staged_updates row.</param>
/// <param name="ItemRows">Its staged_items rows, none for an event without turns.</param>
/// <param name="ToolCallRows">Its staged_tool_calls rows, none for an event without tool calls.</param>
internal sealed record StagedUpdate(string SvixId, ConversationProjection Projection, byte[] UpdateRow, byte[] ItemRows, byte[] ToolCallRows)
{
    public long Bytes => UpdateRow.Length + ItemRows.Length + ToolCallRows.Length;
}
