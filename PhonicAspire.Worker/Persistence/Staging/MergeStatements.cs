using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Set-based SQL that applies the staged conversation updates of a batch whose webhook_events rows were just
/// copied, written from the columns <see cref="ConversationMerge"/> takes from <see cref="StoreMapping"/>. Typed
/// values come from the staging tables (<see cref="StagingTables"/>), each statement reading the kinds of staged rows it
/// needs as common table expressions named after them; the large JSON columns come from the stored
/// payload, which PostgreSQL already holds parsed. Every statement takes its rows in one global order (ids compared bytewise), and a batch whose rows
/// several statements take locks them all in that order first, so workers storing overlapping batches wait for each
/// other instead of deadlocking, whatever order the statements would take the rows in. Versions and svix ids compare
/// bytewise too (<c>COLLATE "C"</c>), so ties break alike on any database's collation.
/// </summary>
internal static class MergeStatements
{
    /// <summary>
    /// Inserts the batch's conversations that do not exist yet and locks those that do, all in id order. DO UPDATE
    /// with a false WHERE updates nothing but still locks the row it conflicts with. Only for batches with more than
    /// one event type: it gives each new conversation a second row version (placeholder, then upsert), which a
    /// single-type batch, whose one upsert already takes its rows in order, need not write.
    /// </summary>
    public static string LockConversations(StagingTables staging, string table, string key) => $"""
        WITH {staging.ReadUpdates}
        INSERT INTO {table} AS existing ({key})
        SELECT id FROM (SELECT DISTINCT conversation_id AS id FROM {StagingTables.Updates}) AS touched
        ORDER BY id COLLATE "C"
        ON CONFLICT ({key}) DO UPDATE SET {key} = excluded.{key} WHERE false
        """;

    /// <summary>
    /// Applies the newest event of one type per conversation to the columns it owns. One upsert may touch a row only
    /// once, so it first keeps the newest event per conversation; its WHERE then keeps an event from overwriting a
    /// newer one already applied. Versions compare as (created_at, svix_id), a missing created_at counting as
    /// oldest, so every order of arrival ends alike. A version whose own event is staged again in the batch does not
    /// count: only a requeue or a replayed storage dead letter stores an event twice, after a fix whose parse may read
    /// its time otherwise than the one that set the version, and the batch's newest of the type applies. A
    /// conversation's events requeued in one batch so end on their newest as parsed now; across batches it may take
    /// a second requeue (see the README). An upsert whose event carries items records in applied_with_items which
    /// events it applied.
    /// </summary>
    public static string Upsert(StagingTables staging, string table, string key, ProjectionColumns columns, bool recordsAppliedItems)
    {
        var payloadNames = string.Concat(columns.FromPayload.Select(column => $", {column.Name}"));
        var payloadValues = string.Concat(columns.FromPayload.Select(column => $", {column.Sql}"));
        var joinPayload = columns.FromPayload.Count > 0 ? "JOIN webhook_events AS stored ON stored.svix_id = newest.svix_id" : "";
        var (createdAt, svixId) = (columns.VersionCreatedAt, columns.VersionSvixId);
        var assignments = string.Join(",\n    ", columns.Staged.ColumnNames
            .Concat(columns.FromPayload.Select(column => column.Name))
            .Append(createdAt).Append(svixId)
            .Select(column => $"{column} = excluded.{column}"));
        var upsert = $"""
            INSERT INTO {table} AS existing ({key}, {columns.Staged.Names()}{payloadNames}, {createdAt}, {svixId})
            SELECT newest.conversation_id, {columns.Staged.Names("newest")}{payloadValues}, newest.created_at, newest.svix_id
            FROM newest
            {joinPayload}
            ORDER BY newest.conversation_id COLLATE "C"
            ON CONFLICT ({key}) DO UPDATE SET
                {assignments}
            WHERE existing.{svixId} IS NULL
                OR existing.{svixId} IN (SELECT svix_id FROM {StagingTables.Updates})
                OR (coalesce(excluded.{createdAt}, '-infinity'), excluded.{svixId} COLLATE "C")
                 >= (coalesce(existing.{createdAt}, '-infinity'), existing.{svixId} COLLATE "C")
            """;
        var newest = $"""
            WITH {staging.ReadUpdates},
            newest AS (
                SELECT DISTINCT ON (conversation_id) svix_id, conversation_id, created_at, {columns.Staged.Names()}
                FROM {StagingTables.Updates}
                WHERE event_type = '{columns.EventType}'
                ORDER BY conversation_id, coalesce(created_at, '-infinity') DESC, svix_id COLLATE "C" DESC)
            """;
        return recordsAppliedItems
            ? $"""
                {newest},
                applied AS (
                {upsert}
                RETURNING existing.{key}, existing.{svixId})
                INSERT INTO {StagingTables.AppliedWithItems} (svix_id, conversation_id)
                SELECT applied.{svixId}, applied.{key} FROM applied
                """
            : $"{newest}\n{upsert}";
    }

    // Whatever items an applied conversation had go, found by this statement rather than by the upsert: a statement
    // sees what was committed before it began, and the upsert may have begun before another worker committed the
    // items of an older event it then waited for. Written as = ANY so that it probes the key index whatever the
    // planner guesses about the staging table.
    public static string DeleteReplaced(string table, string conversationColumn) =>
        $"DELETE FROM {table} WHERE {conversationColumn} = ANY (ARRAY(SELECT conversation_id FROM {StagingTables.AppliedWithItems}))";

    public static string InsertItems(StagingTables staging, StagedColumns<ConversationItem> items, string conversationColumn) => $"""
        WITH {staging.ReadItems}
        INSERT INTO {items.Table} ({conversationColumn}, {items.Names()})
        SELECT applied.conversation_id, {items.Names("item")}
        FROM {StagingTables.AppliedWithItems} AS applied
        JOIN {StagingTables.Items} AS item ON item.svix_id = applied.svix_id
        """;

    public static string InsertToolCalls(StagingTables staging, StagedColumns<ToolCall> toolCalls, string conversationColumn) => $"""
        WITH {staging.ReadToolCalls}
        INSERT INTO {toolCalls.Table} ({conversationColumn}, {toolCalls.Names()})
        SELECT applied.conversation_id, {toolCalls.Names("tool_call")}
        FROM {StagingTables.AppliedWithItems} AS applied
        JOIN {StagingTables.ToolCalls} AS tool_call ON tool_call.svix_id = applied.svix_id
        """;
}
