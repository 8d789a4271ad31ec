CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    migration_id character varying(150) NOT NULL,
    product_version character varying(32) NOT NULL,
    CONSTRAINT pk___ef_migrations_history PRIMARY KEY (migration_id)
);


DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261125090642_InitialSchema') THEN
    CREATE TABLE conversation_items (
        conversation_id text NOT NULL,
        item_idx integer NOT NULL,
        item_id text,
        role text,
        live_transcript text,
        post_call_transcript text,
        redacted_transcript text,
        duration_ms double precision,
        started_at timestamp with time zone,
        voice_id text,
        audio_speed double precision,
        system_prompt text,
        CONSTRAINT pk_conversation_items PRIMARY KEY (conversation_id, item_idx)
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261125090642_InitialSchema') THEN
    CREATE TABLE conversations (
        id text NOT NULL,
        agent_id text,
        agent_name text,
        workspace text,
        project_id text,
        project_name text,
        external_id text,
        origin text,
        model text,
        started_at timestamp with time zone,
        ended_at timestamp with time zone,
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
        details jsonb COMPRESSION lz4,
        ended_event_created_at timestamp with time zone,
        ended_event_svix_id text,
        latencies_ms double precision[],
        interruptions_count integer,
        analysis_event_created_at timestamp with time zone,
        analysis_event_svix_id text,
        transferred_to text,
        transferred_items jsonb,
        transferred_event_created_at timestamp with time zone,
        transferred_event_svix_id text,
        CONSTRAINT pk_conversations PRIMARY KEY (id)
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261125090642_InitialSchema') THEN
    CREATE TABLE tool_calls (
        conversation_id text NOT NULL,
        item_idx integer NOT NULL,
        call_idx integer NOT NULL,
        tool_call_id text,
        tool_id text,
        tool_name text,
        request_body jsonb,
        response_body jsonb,
        timed_out boolean,
        error_message text,
        endpoint_method text,
        endpoint_url text,
        endpoint_headers jsonb,
        endpoint_timeout_ms integer,
        endpoint_called_at timestamp with time zone,
        query_params jsonb,
        response_status_code integer,
        CONSTRAINT pk_tool_calls PRIMARY KEY (conversation_id, item_idx, call_idx)
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261125090642_InitialSchema') THEN
    CREATE TABLE webhook_events (
        svix_id text NOT NULL,
        event_type text,
        conversation_id text,
        created_at timestamp with time zone,
        received_at timestamp with time zone NOT NULL,
        stored_at timestamp with time zone NOT NULL,
        raw_body bytea COMPRESSION lz4 NOT NULL,
        payload jsonb COMPRESSION lz4,
        parse_error text,
        CONSTRAINT pk_webhook_events PRIMARY KEY (svix_id)
    );
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261125090642_InitialSchema') THEN
    CREATE INDEX ix_conversations_agent_id ON conversations (agent_id);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261125090642_InitialSchema') THEN
    CREATE INDEX ix_conversations_started_at ON conversations (started_at);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261125090642_InitialSchema') THEN
    CREATE INDEX ix_tool_calls_tool_name ON tool_calls (tool_name);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261125090642_InitialSchema') THEN
    CREATE INDEX ix_webhook_events_conversation_id ON webhook_events (conversation_id);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261125090642_InitialSchema') THEN
    INSERT INTO "__EFMigrationsHistory" (migration_id, product_version)
    VALUES ('20261125090642_InitialSchema', '10.0.15');
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261205104950_KeepTypicalWebhookEventRowsWhole') THEN
    ALTER TABLE webhook_events SET (toast_tuple_target=4096);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261205104950_KeepTypicalWebhookEventRowsWhole') THEN
    INSERT INTO "__EFMigrationsHistory" (migration_id, product_version)
    VALUES ('20261205104950_KeepTypicalWebhookEventRowsWhole', '10.0.15');
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261207083650_IndexWebhookEventsByReceiptTime') THEN
    CREATE INDEX ix_webhook_events_received_at ON webhook_events USING brin (received_at timestamptz_minmax_multi_ops);
    END IF;
END $EF$;

DO $EF$
BEGIN
    IF NOT EXISTS(SELECT 1 FROM "__EFMigrationsHistory" WHERE "migration_id" = '20261207083650_IndexWebhookEventsByReceiptTime') THEN
    INSERT INTO "__EFMigrationsHistory" (migration_id, product_version)
    VALUES ('20261207083650_IndexWebhookEventsByReceiptTime', '10.0.15');
    END IF;
END $EF$;
