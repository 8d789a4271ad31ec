namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Temporary tables for merging a batch: staged_updates receives the conversation updates by COPY
/// (<c>fields</c> is written by <see cref="ConversationUpdateJson"/>), applied_ended records which
/// conversation.ended events the merge applied. Both are dropped at commit, so a pooled connection never carries
/// them into the next batch.
/// </summary>
internal static class StagedUpdatesTable
{
    // The planner guesses 100 rows per jsonb_to_recordset call, so the merge looks expensive enough to JIT-compile,
    // which takes far longer than running it; jit is off for the rest of the transaction only.
    public const string Create = """
        SET LOCAL jit = off;
        CREATE TEMP TABLE staged_updates (
            svix_id text NOT NULL,
            event_type text NOT NULL,
            conversation_id text NOT NULL,
            created_at timestamptz,
            fields jsonb NOT NULL
        ) ON COMMIT DROP;
        CREATE TEMP TABLE applied_ended (
            svix_id text NOT NULL,
            conversation_id text NOT NULL,
            replaced boolean NOT NULL
        ) ON COMMIT DROP
        """;

    public const string CopyUpdates = """
        COPY staged_updates (svix_id, event_type, conversation_id, created_at, fields) FROM STDIN (FORMAT BINARY)
        """;
}
