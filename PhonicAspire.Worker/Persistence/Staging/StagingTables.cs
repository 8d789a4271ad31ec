namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Temporary tables a batch is copied into before being merged into the real ones with set-based SQL. They are
/// dropped at commit, so a pooled connection never carries one into the next batch.
/// </summary>
internal static class StagingTables
{
    public const string Create = """
        CREATE TEMP TABLE staged_events (
            ordinal int NOT NULL,
            svix_id text NOT NULL,
            event_type text,
            conversation_id text,
            created_at timestamptz,
            received_at timestamptz NOT NULL,
            raw_body bytea NOT NULL,
            payload jsonb,
            parse_error text,
            updates_conversation boolean NOT NULL,
            agent_id text,
            agent_name text,
            workspace text,
            project_id text,
            project_name text,
            external_id text,
            origin text,
            model text,
            started_at timestamptz,
            ended_at timestamptz,
            ended_by text,
            duration_ms double precision,
            from_phone_number text,
            to_phone_number text,
            twilio_call_sid text,
            live_transcript text,
            post_call_transcript text,
            audio_url text,
            default_language text,
            additional_languages text[],
            latencies_ms double precision[],
            interruptions_count int,
            transferred_to text,
            applied boolean NOT NULL DEFAULT false
        ) ON COMMIT DROP;
        CREATE TEMP TABLE staged_items (
            ordinal int NOT NULL,
            item_idx int NOT NULL,
            item_id text,
            role text,
            live_transcript text,
            post_call_transcript text,
            redacted_transcript text,
            duration_ms double precision,
            started_at timestamptz,
            voice_id text,
            audio_speed double precision,
            system_prompt text
        ) ON COMMIT DROP;
        CREATE TEMP TABLE staged_tool_calls (
            ordinal int NOT NULL,
            item_idx int NOT NULL,
            item_position int NOT NULL,
            call_idx int NOT NULL,
            tool_call_id text,
            tool_id text,
            tool_name text,
            timed_out boolean,
            error_message text,
            endpoint_method text,
            endpoint_url text,
            endpoint_timeout_ms int,
            endpoint_called_at timestamptz,
            response_status_code int
        ) ON COMMIT DROP;
        """;

    public const string CopyEvents = """
        COPY staged_events (
            ordinal, svix_id, event_type, conversation_id, created_at, received_at, raw_body, payload, parse_error,
            updates_conversation, agent_id, agent_name, workspace, project_id, project_name, external_id, origin, model,
            started_at, ended_at, ended_by, duration_ms, from_phone_number, to_phone_number, twilio_call_sid,
            live_transcript, post_call_transcript, audio_url, default_language, additional_languages, latencies_ms,
            interruptions_count, transferred_to
        ) FROM STDIN (FORMAT BINARY)
        """;

    public const string CopyItems = """
        COPY staged_items (
            ordinal, item_idx, item_id, role, live_transcript, post_call_transcript, redacted_transcript, duration_ms,
            started_at, voice_id, audio_speed, system_prompt
        ) FROM STDIN (FORMAT BINARY)
        """;

    public const string CopyToolCalls = """
        COPY staged_tool_calls (
            ordinal, item_idx, item_position, call_idx, tool_call_id, tool_id, tool_name, timed_out, error_message,
            endpoint_method, endpoint_url, endpoint_timeout_ms, endpoint_called_at, response_status_code
        ) FROM STDIN (FORMAT BINARY)
        """;
}
