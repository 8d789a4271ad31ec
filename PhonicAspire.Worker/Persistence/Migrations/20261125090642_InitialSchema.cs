using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PhonicAspire.Worker.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "conversation_items",
                columns: table => new
                {
                    conversation_id = table.Column<string>(type: "text", nullable: false),
                    item_idx = table.Column<int>(type: "integer", nullable: false),
                    item_id = table.Column<string>(type: "text", nullable: true),
                    role = table.Column<string>(type: "text", nullable: true),
                    live_transcript = table.Column<string>(type: "text", nullable: true),
                    post_call_transcript = table.Column<string>(type: "text", nullable: true),
                    redacted_transcript = table.Column<string>(type: "text", nullable: true),
                    duration_ms = table.Column<double>(type: "double precision", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    voice_id = table.Column<string>(type: "text", nullable: true),
                    audio_speed = table.Column<double>(type: "double precision", nullable: true),
                    system_prompt = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_conversation_items", x => new { x.conversation_id, x.item_idx });
                });

            migrationBuilder.CreateTable(
                name: "conversations",
                columns: table => new
                {
                    id = table.Column<string>(type: "text", nullable: false),
                    agent_id = table.Column<string>(type: "text", nullable: true),
                    agent_name = table.Column<string>(type: "text", nullable: true),
                    workspace = table.Column<string>(type: "text", nullable: true),
                    project_id = table.Column<string>(type: "text", nullable: true),
                    project_name = table.Column<string>(type: "text", nullable: true),
                    external_id = table.Column<string>(type: "text", nullable: true),
                    origin = table.Column<string>(type: "text", nullable: true),
                    model = table.Column<string>(type: "text", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ended_by = table.Column<string>(type: "text", nullable: true),
                    duration_ms = table.Column<double>(type: "double precision", nullable: true),
                    from_phone_number = table.Column<string>(type: "text", nullable: true),
                    to_phone_number = table.Column<string>(type: "text", nullable: true),
                    twilio_call_sid = table.Column<string>(type: "text", nullable: true),
                    live_transcript = table.Column<string>(type: "text", nullable: true),
                    post_call_transcript = table.Column<string>(type: "text", nullable: true),
                    audio_url = table.Column<string>(type: "text", nullable: true),
                    default_language = table.Column<string>(type: "text", nullable: true),
                    additional_languages = table.Column<string[]>(type: "text[]", nullable: true),
                    details = table.Column<string>(type: "jsonb", nullable: true)
                        .Annotation("Npgsql:Compression:", "lz4"),
                    ended_event_created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ended_event_svix_id = table.Column<string>(type: "text", nullable: true),
                    latencies_ms = table.Column<double?[]>(type: "double precision[]", nullable: true),
                    interruptions_count = table.Column<int>(type: "integer", nullable: true),
                    analysis_event_created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    analysis_event_svix_id = table.Column<string>(type: "text", nullable: true),
                    transferred_to = table.Column<string>(type: "text", nullable: true),
                    transferred_items = table.Column<string>(type: "jsonb", nullable: true),
                    transferred_event_created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    transferred_event_svix_id = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_conversations", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "tool_calls",
                columns: table => new
                {
                    conversation_id = table.Column<string>(type: "text", nullable: false),
                    item_idx = table.Column<int>(type: "integer", nullable: false),
                    call_idx = table.Column<int>(type: "integer", nullable: false),
                    tool_call_id = table.Column<string>(type: "text", nullable: true),
                    tool_id = table.Column<string>(type: "text", nullable: true),
                    tool_name = table.Column<string>(type: "text", nullable: true),
                    request_body = table.Column<string>(type: "jsonb", nullable: true),
                    response_body = table.Column<string>(type: "jsonb", nullable: true),
                    timed_out = table.Column<bool>(type: "boolean", nullable: true),
                    error_message = table.Column<string>(type: "text", nullable: true),
                    endpoint_method = table.Column<string>(type: "text", nullable: true),
                    endpoint_url = table.Column<string>(type: "text", nullable: true),
                    endpoint_headers = table.Column<string>(type: "jsonb", nullable: true),
                    endpoint_timeout_ms = table.Column<int>(type: "integer", nullable: true),
                    endpoint_called_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    query_params = table.Column<string>(type: "jsonb", nullable: true),
                    response_status_code = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_tool_calls", x => new { x.conversation_id, x.item_idx, x.call_idx });
                });

            migrationBuilder.CreateTable(
                name: "webhook_events",
                columns: table => new
                {
                    svix_id = table.Column<string>(type: "text", nullable: false),
                    event_type = table.Column<string>(type: "text", nullable: true),
                    conversation_id = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    stored_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    raw_body = table.Column<byte[]>(type: "bytea", nullable: false)
                        .Annotation("Npgsql:Compression:", "lz4"),
                    payload = table.Column<string>(type: "jsonb", nullable: true)
                        .Annotation("Npgsql:Compression:", "lz4"),
                    parse_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_webhook_events", x => x.svix_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_conversations_agent_id",
                table: "conversations",
                column: "agent_id");

            migrationBuilder.CreateIndex(
                name: "ix_conversations_started_at",
                table: "conversations",
                column: "started_at");

            migrationBuilder.CreateIndex(
                name: "ix_tool_calls_tool_name",
                table: "tool_calls",
                column: "tool_name");

            migrationBuilder.CreateIndex(
                name: "ix_webhook_events_conversation_id",
                table: "webhook_events",
                column: "conversation_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "conversation_items");

            migrationBuilder.DropTable(
                name: "conversations");

            migrationBuilder.DropTable(
                name: "tool_calls");

            migrationBuilder.DropTable(
                name: "webhook_events");
        }
    }
}
