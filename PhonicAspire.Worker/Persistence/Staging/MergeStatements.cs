namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Set-based SQL that merges the staging tables into the real ones. Rows that may already exist are upserted in
/// key order, so workers storing overlapping batches lock them in the same order and cannot deadlock.
/// </summary>
internal static class MergeStatements
{
    /// <summary>
    /// Inserts every staged event not stored before and returns the svix ids that were; those are removed from
    /// staging so that only new events go on to update conversations. Parameter $1: stored_at.
    /// </summary>
    public const string InsertWebhookEvents = """
        WITH inserted AS (
            INSERT INTO webhook_events
                (svix_id, event_type, conversation_id, created_at, received_at, stored_at, raw_body, payload, parse_error)
            SELECT svix_id, event_type, conversation_id, created_at, received_at, $1, raw_body, payload, parse_error
            FROM staged_events
            ORDER BY svix_id
            ON CONFLICT (svix_id) DO NOTHING
            RETURNING svix_id)
        DELETE FROM staged_events AS staged
        WHERE NOT EXISTS (SELECT FROM inserted WHERE inserted.svix_id = staged.svix_id)
        RETURNING staged.svix_id
        """;

    // One upsert may touch a row only once, so each statement first keeps the newest event per conversation; its
    // WHERE then keeps an event from overwriting a newer one already applied. Versions compare as
    // (created_at, svix_id), a missing created_at counting as oldest, so every order of arrival ends alike.

    /// <summary>Applies the newest conversation.ended per conversation, marking the staged events it applied.</summary>
    public const string UpsertEnded = """
        WITH newest AS (
            SELECT DISTINCT ON (conversation_id) *
            FROM staged_events
            WHERE updates_conversation AND event_type = 'conversation.ended'
            ORDER BY conversation_id, created_at DESC NULLS LAST, svix_id DESC),
        applied AS (
            INSERT INTO conversations AS existing (
                id, agent_id, agent_name, workspace, project_id, project_name, external_id, origin, model,
                started_at, ended_at, ended_by, duration_ms, from_phone_number, to_phone_number, twilio_call_sid,
                live_transcript, post_call_transcript, audio_url, default_language, additional_languages, details,
                ended_event_created_at, ended_event_svix_id)
            SELECT
                conversation_id, agent_id, agent_name, workspace, project_id, project_name, external_id, origin, model,
                started_at, ended_at, ended_by, duration_ms, from_phone_number, to_phone_number, twilio_call_sid,
                live_transcript, post_call_transcript, audio_url, default_language, additional_languages,
                payload -> 'data' -> 'conversation', created_at, svix_id
            FROM newest
            ORDER BY conversation_id
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
                OR (coalesce(excluded.ended_event_created_at, '-infinity'), excluded.ended_event_svix_id)
                 > (coalesce(existing.ended_event_created_at, '-infinity'), existing.ended_event_svix_id)
            RETURNING existing.ended_event_svix_id)
        UPDATE staged_events SET applied = true
        FROM applied
        WHERE staged_events.svix_id = applied.ended_event_svix_id
        """;

    /// <summary>Removes the items (and, by cascade, tool calls) of conversations whose conversation.ended was just applied.</summary>
    public const string DeleteReplacedItems = """
        DELETE FROM conversation_items AS item
        USING staged_events AS staged
        WHERE staged.applied AND item.conversation_id = staged.conversation_id
        """;

    public const string InsertItems = """
        INSERT INTO conversation_items (
            conversation_id, item_idx, item_id, role, live_transcript, post_call_transcript, redacted_transcript,
            duration_ms, started_at, voice_id, audio_speed, system_prompt)
        SELECT
            staged.conversation_id, item.item_idx, item.item_id, item.role, item.live_transcript,
            item.post_call_transcript, item.redacted_transcript, item.duration_ms, item.started_at, item.voice_id,
            item.audio_speed, item.system_prompt
        FROM staged_items AS item
        JOIN staged_events AS staged ON staged.ordinal = item.ordinal
        WHERE staged.applied
        """;

    // JSON-valued fields come from the staged payload rather than the client: PostgreSQL already holds it parsed.
    public const string InsertToolCalls = """
        INSERT INTO tool_calls (
            conversation_id, item_idx, call_idx, tool_call_id, tool_id, tool_name, request_body, response_body,
            timed_out, error_message, endpoint_method, endpoint_url, endpoint_headers, endpoint_timeout_ms,
            endpoint_called_at, query_params, response_status_code)
        SELECT
            staged.conversation_id, staged_call.item_idx, staged_call.call_idx, staged_call.tool_call_id,
            staged_call.tool_id, staged_call.tool_name,
            nullif(raw.tool_call -> 'request_body', 'null'), nullif(raw.tool_call -> 'response_body', 'null'),
            staged_call.timed_out, staged_call.error_message, staged_call.endpoint_method, staged_call.endpoint_url,
            nullif(raw.tool_call -> 'endpoint_headers', 'null'), staged_call.endpoint_timeout_ms,
            staged_call.endpoint_called_at, nullif(raw.tool_call -> 'query_params', 'null'),
            staged_call.response_status_code
        FROM staged_tool_calls AS staged_call
        JOIN staged_events AS staged ON staged.ordinal = staged_call.ordinal
        CROSS JOIN LATERAL (
            SELECT staged.payload -> 'data' -> 'conversation' -> 'items' -> staged_call.item_position
                -> 'tool_calls' -> staged_call.call_idx AS tool_call) AS raw
        WHERE staged.applied
        """;

    public const string UpsertAnalysis = """
        WITH newest AS (
            SELECT DISTINCT ON (conversation_id) conversation_id, latencies_ms, interruptions_count, created_at, svix_id
            FROM staged_events
            WHERE updates_conversation AND event_type = 'conversation.analysis'
            ORDER BY conversation_id, created_at DESC NULLS LAST, svix_id DESC)
        INSERT INTO conversations AS existing
            (id, latencies_ms, interruptions_count, analysis_event_created_at, analysis_event_svix_id)
        SELECT conversation_id, latencies_ms, interruptions_count, created_at, svix_id
        FROM newest
        ORDER BY conversation_id
        ON CONFLICT (id) DO UPDATE SET
            latencies_ms = excluded.latencies_ms,
            interruptions_count = excluded.interruptions_count,
            analysis_event_created_at = excluded.analysis_event_created_at,
            analysis_event_svix_id = excluded.analysis_event_svix_id
        WHERE existing.analysis_event_svix_id IS NULL
            OR (coalesce(excluded.analysis_event_created_at, '-infinity'), excluded.analysis_event_svix_id)
             > (coalesce(existing.analysis_event_created_at, '-infinity'), existing.analysis_event_svix_id)
        """;

    public const string UpsertTransferred = """
        WITH newest AS (
            SELECT DISTINCT ON (conversation_id) conversation_id, transferred_to, payload, created_at, svix_id
            FROM staged_events
            WHERE updates_conversation AND event_type = 'conversation.transferred'
            ORDER BY conversation_id, created_at DESC NULLS LAST, svix_id DESC)
        INSERT INTO conversations AS existing
            (id, transferred_to, transferred_items, transferred_event_created_at, transferred_event_svix_id)
        SELECT conversation_id, transferred_to, nullif(payload -> 'data' -> 'conversation' -> 'items', 'null'), created_at, svix_id
        FROM newest
        ORDER BY conversation_id
        ON CONFLICT (id) DO UPDATE SET
            transferred_to = excluded.transferred_to,
            transferred_items = excluded.transferred_items,
            transferred_event_created_at = excluded.transferred_event_created_at,
            transferred_event_svix_id = excluded.transferred_event_svix_id
        WHERE existing.transferred_event_svix_id IS NULL
            OR (coalesce(excluded.transferred_event_created_at, '-infinity'), excluded.transferred_event_svix_id)
             > (coalesce(existing.transferred_event_created_at, '-infinity'), existing.transferred_event_svix_id)
        """;
}
