using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Temporary tables for merging a batch: staged_updates receives each event's conversation columns, staged_items and
/// staged_tool_calls the turns and tool calls of those that carry them, all by binary COPY and typed as their target
/// columns; applied_with_items records which events carrying items (conversation.ended) the merge applied. Each
/// connection creates them once and keeps them (the pool does not reset connections, see
/// <see cref="Microsoft.Extensions.Hosting.PhonicPersistenceExtensions"/>); their rows go at every commit, so no batch
/// sees another's. Creating and dropping them in every transaction cost PostgreSQL about 7 ms of catalog writes per
/// batch, most of the work of a small batch.
/// </summary>
internal sealed class StagingTables(
    StagedColumns<Conversation> conversations, StagedColumns<ConversationItem> items, StagedColumns<ToolCall> toolCalls)
{
    public const string Updates = "staged_updates";
    public const string Items = "staged_items";
    public const string ToolCalls = "staged_tool_calls";

    // The planner guesses rows for tables it has no statistics of, and a merge can look expensive enough to
    // JIT-compile, which takes far longer than running it; jit is off for the rest of the transaction only.
    // "Already exists, skipping" is the expected answer on all but a connection's first batch, not worth a notice.
    public string Create { get; } = $"""
        SET LOCAL jit = off;
        SET LOCAL client_min_messages = warning;
        CREATE TEMP TABLE IF NOT EXISTS {Updates} (
            svix_id text NOT NULL,
            event_type text NOT NULL,
            conversation_id text NOT NULL,
            created_at timestamptz,
            {conversations.Definitions}
        ) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS {Items} (
            svix_id text NOT NULL,
            {items.Definitions}
        ) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS {ToolCalls} (
            svix_id text NOT NULL,
            {toolCalls.Definitions}
        ) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS applied_with_items (
            svix_id text NOT NULL,
            conversation_id text NOT NULL
        ) ON COMMIT DELETE ROWS
        """;

    public string CopyUpdates { get; } =
        $"COPY {Updates} (svix_id, event_type, conversation_id, created_at, {conversations.Names()}) FROM STDIN (FORMAT BINARY)";

    public string CopyItems { get; } = $"COPY {Items} (svix_id, {items.Names()}) FROM STDIN (FORMAT BINARY)";

    public string CopyToolCalls { get; } = $"COPY {ToolCalls} (svix_id, {toolCalls.Names()}) FROM STDIN (FORMAT BINARY)";
}
