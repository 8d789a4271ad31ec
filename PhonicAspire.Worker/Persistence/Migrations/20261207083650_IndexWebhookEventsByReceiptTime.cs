using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PhonicAspire.Worker.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class IndexWebhookEventsByReceiptTime : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_webhook_events_received_at",
                table: "webhook_events",
                column: "received_at")
                .Annotation("Npgsql:IndexMethod", "brin")
                .Annotation("Npgsql:IndexOperators", new[] { "timestamptz_minmax_multi_ops" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_webhook_events_received_at",
                table: "webhook_events");
        }
    }
}
