using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Temporary tables for merging a batch: staged_updates receives each event's conversation columns, staged_items and
/// staged_tool_calls the turns and tool calls of those that carry them, all by binary COPY and typed as their target
/// columns; applied_with_items records which events carrying items (conversation.ended) the merge applied. Each
/// connection creates them once and keeps them (the pool does not reset connections, see
/// <see cref="Microsoft.Extensions.Hosting.PhonicPersistenceExtensions"/>); creating and dropping them in every
/// transaction cost PostgreSQL about 7 ms of catalog writes per batch, most of the work of a small batch. A batch
/// deletes its rows as the last of its statements, so the next finds them empty, and one that rolls back leaves none.
/// </summary>
/// <remarks>
/// Not <c>ON COMMIT DELETE ROWS</c>: that truncates every one of the tables at every commit, each with its TOAST table,
/// whose index it builds anew, and tells every other session to drop its cached file handles. In a profile of the
/// stack at a steady 3,000 deliveries/s it was a fifth of PostgreSQL's CPU (docs/benchmarks.md, *The staging tables'
/// truncation*). Deleted rows keep their pages until a VACUUM, which the store runs once the connection has staged
/// <see cref="VacuumAfterBytes"/> since the last, and after a batch it rolled back on purpose. A batch that fails after
/// staging leaves its rows' pages uncounted until then: a batch tried again and again through a long refusal adds one
/// batch's pages a try.
/// </remarks>
internal sealed class StagingTables(
    StagedColumns<Conversation> conversations, StagedColumns<ConversationItem> items, StagedColumns<ToolCall> toolCalls)
{
    public const string Updates = "staged_updates";
    public const string Items = "staged_items";
    public const string ToolCalls = "staged_tool_calls";
    public const string AppliedWithItems = "applied_with_items";

    /// <summary>
    /// The bytes of rows a connection stages between one VACUUM of its tables and the next: well inside the session's
    /// 8 MB of temporary buffers, which hold the tables without writing them out, and a hundred or more of the small
    /// batches a steady load makes. Lower would vacuum more often; higher would have each statement that scans the
    /// tables read more deleted rows' pages between one VACUUM and the next.
    /// </summary>
    public const long VacuumAfterBytes = 2 * 1024 * 1024;

    // The count of bytes staged since the last VACUUM is kept in the session, as a setting of its own, because it
    // belongs to the session's tables: it lives and goes with them, and a pooled connection carries nothing else the
    // store could keep it in. Measuring the tables instead (pg_table_size of each, TOAST included) cost PostgreSQL
    // about 50 µs a batch.
    private const string StagedSinceVacuum = "phonic.staged_since_vacuum";

    private static readonly string[] All = [Updates, Items, ToolCalls, AppliedWithItems];

    /// <summary>
    /// Parameter $1: the bytes of rows the batch staged. Adds them to the session's count; the one row and column is the
    /// count since the last VACUUM. Undone with the batch's transaction.
    /// </summary>
    public static readonly string CountStaged = $"""
        SELECT set_config('{StagedSinceVacuum}',
            (coalesce(nullif(current_setting('{StagedSinceVacuum}', true), ''), '0')::bigint + $1)::text, false)::bigint
        """;

    /// <summary>Takes back the pages of the rows batches deleted; not in a transaction.</summary>
    public static readonly string Vacuum = $"VACUUM {string.Join(", ", All)}";

    public static readonly string ResetCount = $"SELECT set_config('{StagedSinceVacuum}', '0', false)";

    /// <summary>One statement a table, for a batch's last.</summary>
    public static IEnumerable<string> Empty { get; } = [.. All.Select(table => $"DELETE FROM {table}")];

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
        );
        CREATE TEMP TABLE IF NOT EXISTS {Items} (
            svix_id text NOT NULL,
            {items.Definitions}
        );
        CREATE TEMP TABLE IF NOT EXISTS {ToolCalls} (
            svix_id text NOT NULL,
            {toolCalls.Definitions}
        );
        CREATE TEMP TABLE IF NOT EXISTS {AppliedWithItems} (
            svix_id text NOT NULL,
            conversation_id text NOT NULL
        )
        """;

    public string CopyUpdates { get; } =
        $"COPY {Updates} (svix_id, event_type, conversation_id, created_at, {conversations.Names()}) FROM STDIN (FORMAT BINARY)";

    public string CopyItems { get; } = $"COPY {Items} (svix_id, {items.Names()}) FROM STDIN (FORMAT BINARY)";

    public string CopyToolCalls { get; } = $"COPY {ToolCalls} (svix_id, {toolCalls.Names()}) FROM STDIN (FORMAT BINARY)";
}
