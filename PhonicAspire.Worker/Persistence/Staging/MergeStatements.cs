using PhonicAspire.Webhooks;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Set-based SQL that applies the staged conversation updates of a batch whose webhook_events rows were just
/// copied. Typed values come from each update's <c>fields</c>; the large JSON columns (details, transfer items)
/// come from the stored payload, which PostgreSQL already holds parsed. Every statement takes its rows in one global
/// order (ids compared bytewise), and a batch whose rows several statements take locks them all in that order first,
/// so workers storing overlapping batches wait for each other instead of deadlocking, whatever order the statements
/// would take the rows in. Versions and svix ids compare bytewise too (<c>COLLATE "C"</c>), so ties break alike on
/// any database's collation.
/// </summary>
internal static class MergeStatements
{
    // agent and project stay in details: agent.is_deleted and whatever Phonic adds to them have no column.
    private const string ColumnBackedFields =
        "{id,workspace,external_id,origin,model,started_at,ended_at,ended_by,duration_ms,live_transcript," +
        "post_call_transcript,audio_url,default_language,additional_languages,items}";

    /// <summary>
    /// Inserts the batch's conversations that do not exist yet and locks those that do, all in id order. DO UPDATE
    /// with a false WHERE updates nothing but still locks the row it conflicts with. Only for batches with more than
    /// one event type: it gives each new conversation a second row version (placeholder, then upsert), which a
    /// single-type batch, whose one upsert already takes its rows in order, need not write.
    /// </summary>
    public const string LockConversations = """
        INSERT INTO conversations AS existing (id)
        SELECT id FROM (SELECT DISTINCT conversation_id AS id FROM staged_updates) AS touched
        ORDER BY id COLLATE "C"
        ON CONFLICT (id) DO UPDATE SET id = excluded.id WHERE false
        """;

    // One upsert may touch a row only once, so each statement first keeps the newest event per conversation; its
    // WHERE then keeps an event from overwriting a newer one already applied. Versions compare as
    // (created_at, svix_id), a missing created_at counting as oldest, so every order of arrival ends alike; an
    // event meets its own version only when an operator requeued it, and then applies again.

    /// <summary>
    /// Applies the newest conversation.ended per conversation, recording in applied_ended what it applied. Its
    /// <c>details</c> are the conversation without the fields stored in columns, which keeps rows small.
    /// </summary>
    public const string UpsertEnded = $$"""
        WITH newest AS (
            SELECT DISTINCT ON (conversation_id) svix_id, conversation_id, created_at, fields
            FROM staged_updates
            WHERE event_type = '{{PhonicEventTypes.ConversationEnded}}'
            ORDER BY conversation_id, created_at DESC NULLS LAST, svix_id COLLATE "C" DESC),
        applied AS (
            INSERT INTO conversations AS existing (
                id, agent_id, agent_name, workspace, project_id, project_name, external_id, origin, model,
                started_at, ended_at, ended_by, duration_ms, from_phone_number, to_phone_number, twilio_call_sid,
                live_transcript, post_call_transcript, audio_url, default_language, additional_languages, details,
                ended_event_created_at, ended_event_svix_id)
            SELECT
                newest.conversation_id, ended.agent_id, ended.agent_name, ended.workspace, ended.project_id,
                ended.project_name, ended.external_id, ended.origin, ended.model, ended.started_at, ended.ended_at,
                ended.ended_by, ended.duration_ms, ended.from_phone_number, ended.to_phone_number,
                ended.twilio_call_sid, ended.live_transcript, ended.post_call_transcript, ended.audio_url,
                ended.default_language, ended.additional_languages,
                (stored.payload -> 'data' -> 'conversation') - '{{ColumnBackedFields}}'::text[],
                newest.created_at, newest.svix_id
            FROM newest
            CROSS JOIN LATERAL jsonb_to_record(newest.fields) AS ended (
                agent_id text, agent_name text, workspace text, project_id text, project_name text,
                external_id text, origin text, model text, started_at timestamptz, ended_at timestamptz,
                ended_by text, duration_ms double precision, from_phone_number text, to_phone_number text,
                twilio_call_sid text, live_transcript text, post_call_transcript text, audio_url text,
                default_language text, additional_languages text[])
            JOIN webhook_events AS stored ON stored.svix_id = newest.svix_id
            ORDER BY newest.conversation_id COLLATE "C"
            ON CONFLICT (id) DO UPDATE SET
                agent_id = excluded.agent_id,
                agent_name = excluded.agent_name,
                workspace = excluded.workspace,
                project_id = excluded.project_id,
                project_name = excluded.project_name,
                external_id = excluded.external_id,
                origin = excluded.origin,
                model = excluded.model,
                started_at = excluded.started_at,
                ended_at = excluded.ended_at,
                ended_by = excluded.ended_by,
                duration_ms = excluded.duration_ms,
                from_phone_number = excluded.from_phone_number,
                to_phone_number = excluded.to_phone_number,
                twilio_call_sid = excluded.twilio_call_sid,
                live_transcript = excluded.live_transcript,
                post_call_transcript = excluded.post_call_transcript,
                audio_url = excluded.audio_url,
                default_language = excluded.default_language,
                additional_languages = excluded.additional_languages,
                details = excluded.details,
                ended_event_created_at = excluded.ended_event_created_at,
                ended_event_svix_id = excluded.ended_event_svix_id
            WHERE existing.ended_event_svix_id IS NULL
                OR (coalesce(excluded.ended_event_created_at, '-infinity'), excluded.ended_event_svix_id COLLATE "C")
                 >= (coalesce(existing.ended_event_created_at, '-infinity'), existing.ended_event_svix_id COLLATE "C")
            RETURNING existing.id, existing.ended_event_svix_id),
        -- As the statement found them (every part of a statement sees the same snapshot): a conversation whose
        -- earlier conversation.ended was applied has items and tool calls to replace.
        previous AS (
            SELECT id FROM conversations
            WHERE id IN (SELECT conversation_id FROM newest) AND ended_event_svix_id IS NOT NULL)
        INSERT INTO applied_ended (svix_id, conversation_id, replaced)
        SELECT applied.ended_event_svix_id, applied.id, previous.id IS NOT NULL
        FROM applied LEFT JOIN previous ON previous.id = applied.id
        """;

    // Written as = ANY so that they probe the key index whatever the planner guesses about the staging table;
    // conversations seen for the first time have nothing to delete, so most batches skip this entirely.
    private const string ReplacedConversations = "ARRAY(SELECT conversation_id FROM applied_ended WHERE replaced)";

    public const string DeleteReplacedToolCalls = $"DELETE FROM tool_calls WHERE conversation_id = ANY ({ReplacedConversations})";

    public const string DeleteReplacedItems = $"DELETE FROM conversation_items WHERE conversation_id = ANY ({ReplacedConversations})";

    public const string InsertItems = """
        INSERT INTO conversation_items (
            conversation_id, item_idx, item_id, role, live_transcript, post_call_transcript, redacted_transcript,
            duration_ms, started_at, voice_id, audio_speed, system_prompt)
        SELECT
            staged.conversation_id, item.item_idx, item.item_id, item.role, item.live_transcript,
            item.post_call_transcript, item.redacted_transcript, item.duration_ms, item.started_at, item.voice_id,
            item.audio_speed, item.system_prompt
        FROM applied_ended AS applied
        JOIN staged_updates AS staged ON staged.svix_id = applied.svix_id
        CROSS JOIN LATERAL jsonb_to_recordset(staged.fields -> 'items') AS item (
            item_idx int, item_id text, role text, live_transcript text, post_call_transcript text,
            redacted_transcript text, duration_ms double precision, started_at timestamptz, voice_id text,
            audio_speed double precision, system_prompt text)
        """;

    public const string InsertToolCalls = """
        INSERT INTO tool_calls (
            conversation_id, item_idx, call_idx, tool_call_id, tool_id, tool_name, request_body, response_body,
            timed_out, error_message, endpoint_method, endpoint_url, endpoint_headers, endpoint_timeout_ms,
            endpoint_called_at, query_params, response_status_code)
        SELECT
            staged.conversation_id, item.item_idx, tool_call.call_idx, tool_call.tool_call_id, tool_call.tool_id,
            tool_call.tool_name, tool_call.request_body, tool_call.response_body, tool_call.timed_out,
            tool_call.error_message, tool_call.endpoint_method, tool_call.endpoint_url, tool_call.endpoint_headers,
            tool_call.endpoint_timeout_ms, tool_call.endpoint_called_at, tool_call.query_params,
            tool_call.response_status_code
        FROM applied_ended AS applied
        JOIN staged_updates AS staged ON staged.svix_id = applied.svix_id
        CROSS JOIN LATERAL jsonb_to_recordset(staged.fields -> 'items') AS item (item_idx int, tool_calls jsonb)
        CROSS JOIN LATERAL jsonb_to_recordset(item.tool_calls) AS tool_call (
            call_idx int, tool_call_id text, tool_id text, tool_name text, request_body jsonb, response_body jsonb,
            timed_out boolean, error_message text, endpoint_method text, endpoint_url text, endpoint_headers jsonb,
            endpoint_timeout_ms int, endpoint_called_at timestamptz, query_params jsonb, response_status_code int)
        """;

    public const string UpsertAnalysis = $"""
        WITH newest AS (
            SELECT DISTINCT ON (conversation_id) svix_id, conversation_id, created_at, fields
            FROM staged_updates
            WHERE event_type = '{PhonicEventTypes.ConversationAnalysis}'
            ORDER BY conversation_id, created_at DESC NULLS LAST, svix_id COLLATE "C" DESC)
        INSERT INTO conversations AS existing
            (id, latencies_ms, interruptions_count, analysis_event_created_at, analysis_event_svix_id)
        SELECT newest.conversation_id, analysis.latencies_ms, analysis.interruptions_count, newest.created_at, newest.svix_id
        FROM newest
        CROSS JOIN LATERAL jsonb_to_record(newest.fields) AS analysis (latencies_ms double precision[], interruptions_count int)
        ORDER BY newest.conversation_id COLLATE "C"
        ON CONFLICT (id) DO UPDATE SET
            latencies_ms = excluded.latencies_ms,
            interruptions_count = excluded.interruptions_count,
            analysis_event_created_at = excluded.analysis_event_created_at,
            analysis_event_svix_id = excluded.analysis_event_svix_id
        WHERE existing.analysis_event_svix_id IS NULL
            OR (coalesce(excluded.analysis_event_created_at, '-infinity'), excluded.analysis_event_svix_id COLLATE "C")
             >= (coalesce(existing.analysis_event_created_at, '-infinity'), existing.analysis_event_svix_id COLLATE "C")
        """;

    public const string UpsertTransferred = $"""
        WITH newest AS (
            SELECT DISTINCT ON (conversation_id) svix_id, conversation_id, created_at, fields ->> 'transferred_to' AS transferred_to
            FROM staged_updates
            WHERE event_type = '{PhonicEventTypes.ConversationTransferred}'
            ORDER BY conversation_id, created_at DESC NULLS LAST, svix_id COLLATE "C" DESC)
        INSERT INTO conversations AS existing
            (id, transferred_to, transferred_items, transferred_event_created_at, transferred_event_svix_id)
        SELECT
            newest.conversation_id, newest.transferred_to,
            nullif(stored.payload -> 'data' -> 'conversation' -> 'items', 'null'), newest.created_at, newest.svix_id
        FROM newest
        JOIN webhook_events AS stored ON stored.svix_id = newest.svix_id
        ORDER BY newest.conversation_id COLLATE "C"
        ON CONFLICT (id) DO UPDATE SET
            transferred_to = excluded.transferred_to,
            transferred_items = excluded.transferred_items,
            transferred_event_created_at = excluded.transferred_event_created_at,
            transferred_event_svix_id = excluded.transferred_event_svix_id
        WHERE existing.transferred_event_svix_id IS NULL
            OR (coalesce(excluded.transferred_event_created_at, '-infinity'), excluded.transferred_event_svix_id COLLATE "C")
             >= (coalesce(existing.transferred_event_created_at, '-infinity'), existing.transferred_event_svix_id COLLATE "C")
        """;
}
