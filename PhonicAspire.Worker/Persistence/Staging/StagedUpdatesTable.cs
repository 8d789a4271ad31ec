namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Temporary tables for merging a batch: staged_updates receives the conversation updates by COPY
/// (<c>fields</c> is written by <see cref="ConversationMerge"/>), applied_with_items records which events carrying
/// items (conversation.ended) the merge applied. Each connection creates them once and keeps them (the pool does
/// not reset connections, see <see cref="Microsoft.Extensions.Hosting.PhonicPersistenceExtensions"/>); their rows
/// go at every commit, so no batch sees another's. Creating and dropping them in every transaction cost PostgreSQL
/// about 7 ms of catalog writes per batch, most of the work of a small batch.
/// </summary>
internal static class StagedUpdatesTable
{
    // The planner guesses 100 rows per jsonb_to_recordset call, so the merge looks expensive enough to JIT-compile,
    // which takes far longer than running it; jit is off for the rest of the transaction only.
    // "Already exists, skipping" is the expected answer on all but a connection's first batch, not worth a notice.
    // fields is compressed with lz4 rather than the default pglz, which PostgreSQL otherwise spends more time on
    // than on any other single function of the merge.
    public const string Create = """
        SET LOCAL jit = off;
        SET LOCAL client_min_messages = warning;
        CREATE TEMP TABLE IF NOT EXISTS staged_updates (
            svix_id text NOT NULL,
            event_type text NOT NULL,
            conversation_id text NOT NULL,
            created_at timestamptz,
            fields jsonb COMPRESSION lz4 NOT NULL
        ) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS applied_with_items (
            svix_id text NOT NULL,
            conversation_id text NOT NULL
        ) ON COMMIT DELETE ROWS
        """;

    public const string CopyUpdates = """
        COPY staged_updates (svix_id, event_type, conversation_id, created_at, fields) FROM STDIN (FORMAT BINARY)
        """;
}
