using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace PhonicAspire.Worker.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class KeepTypicalWebhookEventRowsWhole : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "webhook_events")
                .Annotation("Npgsql:StorageParameter:toast_tuple_target", 4096);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterTable(
                name: "webhook_events")
                .OldAnnotation("Npgsql:StorageParameter:toast_tuple_target", 4096);
        }
    }
}
