using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Resilience;

namespace Microsoft.Extensions.Hosting;

public static class PhonicPersistenceExtensions
{
    /// <summary>
    /// Registers the <c>phonicdb</c> data source (Aspire's client integration, with its health check, tracing and
    /// metrics), the <see cref="WebhookEventStore"/>, and <see cref="DatabaseMigrations"/>, which brings the schema up
    /// to date at start-up.
    /// </summary>
    public static IHostApplicationBuilder AddPhonicPersistence(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDataSource("phonicdb", settings => settings.ConnectionString = ForBatches(settings.ConnectionString));

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WebhookEventStore>();
        builder.Services.AddOutageResilience();
        builder.Services.AddSingleton<DatabaseMigrations>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DatabaseMigrations>());
        return builder;
    }

    // Batches are COPYed (webhook_events, then staged_rows) at about 7 kB an event, which Npgsql's default 8 KiB
    // write buffer flushed to the socket, an asynchronous send each, about once an event. In a probe of the store, 64
    // KiB took an eighth off the worker's CPU for a batch, 256 KiB a fifth but about 4 MB more at the workers' peaks,
    // which sit at the memory target (docs/benchmarks.md, *Drain, the COPY's flushes*). 64 KiB stays off the
    // large-object heap.
    private const int WriteBufferBytes = 64 * 1024;

    // The store sends the same statements in every batch, about fifteen of them, several wide upserts that PostgreSQL
    // took about as long to plan as to run on the dozen events a batch holds at a steady 3,000 deliveries/s. Npgsql
    // prepares a statement on its connection once it has sent it five times, so PostgreSQL plans each once per
    // connection: measured end to end, less of PostgreSQL's CPU and more deliveries committed within 50 ms; the drain's
    // batches of 250 ran no slower, though the merge's cached plans keep the row estimate of the batch they were made
    // for (the staging tables are temporary, never analyzed), until a VACUUM of them (StagingTables) has them planned
    // again. docs/benchmarks.md, *Prepared statements*.
    private const int PreparedStatementsPerConnection = 32;

    // A pooled connection keeps its temporary staging tables (StagingTables) instead of having DISCARD ALL drop
    // them, so a batch does not pay for creating them again; besides them, the count of what was staged in them since
    // their last VACUUM and its prepared statements, the worker leaves no session state. These settings are the
    // worker's, whatever the connection string says.
    private static string? ForBatches(string? connectionString) =>
        connectionString is null
            ? null
            : new NpgsqlConnectionStringBuilder(connectionString)
            {
                NoResetOnClose = true,
                WriteBufferSize = WriteBufferBytes,
                MaxAutoPrepare = PreparedStatementsPerConnection,
            }.ConnectionString;
}
