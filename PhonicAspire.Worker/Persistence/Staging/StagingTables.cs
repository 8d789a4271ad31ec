namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Temporary tables for merging a batch: staged_rows receives each event's conversation columns and, for those that
/// carry them, its turns and tool calls (<see cref="StagedRows"/>), all by one binary COPY, typed as their target
/// columns; applied_with_items records which events carrying items (conversation.ended) the merge applied. The merge
/// reads staged_rows as staged_updates, staged_items and staged_tool_calls (<see cref="ReadUpdates"/> and its
/// siblings), one kind of row each. Each connection creates the tables once and keeps them (the pool does not reset
/// connections, see <see cref="Microsoft.Extensions.Hosting.PhonicPersistenceExtensions"/>); creating and dropping them
/// in every transaction cost PostgreSQL about 7 ms of catalog writes per batch, most of the work of a small batch. A
/// batch deletes its rows as the last of its statements, so the next finds them empty, and one that rolls back leaves
/// none.
/// </summary>
/// <remarks>
/// One table rather than one for each kind of row: a COPY is an exchange with PostgreSQL with two waits for its
/// answers, and three COPYs were two exchanges and four waits more than one (docs/benchmarks.md, *A batch's exchanges*).
/// <para>
/// Not <c>ON COMMIT DELETE ROWS</c>: that truncates every one of the tables at every commit, each with its TOAST table,
/// whose index it builds anew, and tells every other session to drop its cached file handles. In a profile of the
/// stack at a steady 3,000 deliveries/s it was a fifth of PostgreSQL's CPU (docs/benchmarks.md, *The staging tables'
/// truncation*). Deleted rows keep their pages until a VACUUM, which the store runs once the connection has staged
/// <see cref="VacuumAfterBytes"/> since the last, and after a batch it rolled back on purpose. A batch that fails after
/// staging leaves its rows' pages uncounted until then: a batch tried again and again through a long refusal adds one
/// batch's pages a try.
/// </para>
/// </remarks>
internal sealed class StagingTables(StagedRows rows)
{
    public const string Rows = "staged_rows";
    public const string Updates = "staged_updates";
    public const string Items = "staged_items";
    public const string ToolCalls = "staged_tool_calls";
    public const string AppliedWithItems = "applied_with_items";

    /// <summary>
    /// The bytes of rows a connection stages between one VACUUM of its tables and the next: well inside the session's
    /// 8 MB of temporary buffers, which hold the tables without writing them out, and a hundred or more of the small
    /// batches a steady load makes. Lower would vacuum more often; higher would have each statement that scans the
    /// tables read more deleted rows' pages between one VACUUM and the next. Counted as sent, the NULLs' four bytes
    /// included, which the table does not keep: a little more often than that.
    /// </summary>
    public const long VacuumAfterBytes = 2 * 1024 * 1024;

    // The count of bytes staged since the last VACUUM is kept in the session, as a setting of its own, because it
    // belongs to the session's tables: it lives and goes with them, and a pooled connection carries nothing else the
    // store could keep it in. Measuring the tables instead (pg_table_size of each, TOAST included) cost PostgreSQL
    // about 50 µs a batch.
    private const string StagedSinceVacuum = "phonic.staged_since_vacuum";

    private static readonly string[] All = [Rows, AppliedWithItems];

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

    /// <summary>
    /// The statements that ready the tables for a batch, the transaction's first. The planner guesses rows for tables
    /// it has no statistics of, and a merge can look expensive enough to JIT-compile, which takes far longer than
    /// running it: jit is off for the rest of the transaction only. "Already exists, skipping" is the expected answer
    /// on all but a connection's first batch, not worth a notice.
    /// </summary>
    public IReadOnlyList<string> Create { get; } =
    [
        "SET LOCAL jit = off",
        "SET LOCAL client_min_messages = warning",
        $"""
        CREATE TEMP TABLE IF NOT EXISTS {Rows} (
            {rows.Definitions}
        )
        """,
        $"""
        CREATE TEMP TABLE IF NOT EXISTS {AppliedWithItems} (
            svix_id text NOT NULL,
            conversation_id text NOT NULL
        )
        """,
    ];

    /// <summary>Copies <see cref="StagedRows"/>' rows into staged_rows.</summary>
    public string Copy { get; } = $"COPY {Rows} ({rows.Names}) FROM STDIN (FORMAT BINARY)";

    // Not materialized: each statement that reads a kind scans staged_rows for it, as it scanned that kind's own table.

    /// <summary>A common table expression: the staged conversation columns as staged_updates.</summary>
    public string ReadUpdates { get; } = $"{Updates} AS NOT MATERIALIZED ({rows.SelectConversations(Rows)})";

    /// <summary>A common table expression: the staged turns as staged_items.</summary>
    public string ReadItems { get; } = $"{Items} AS NOT MATERIALIZED ({rows.SelectItems(Rows)})";

    /// <summary>A common table expression: the staged tool calls as staged_tool_calls.</summary>
    public string ReadToolCalls { get; } = $"{ToolCalls} AS NOT MATERIALIZED ({rows.SelectToolCalls(Rows)})";
}
