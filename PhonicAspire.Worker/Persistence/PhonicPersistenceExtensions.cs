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

    // Batches are COPYed (webhook_events, then staged_updates) at about 7 kB an event, which Npgsql's default 8 KiB
    // write buffer flushed to the socket, an asynchronous send each, about once an event. In a probe of the store, 64
    // KiB took an eighth off the worker's CPU for a batch, 256 KiB a fifth but about 4 MB more at the workers' peaks,
    // which sit at the memory target (docs/benchmarks.md, *Drain, the COPY's flushes*). 64 KiB stays off the
    // large-object heap.
    private const int WriteBufferBytes = 64 * 1024;

    // The store sends the same dozen statements in every batch, several of them wide upserts that PostgreSQL took
    // about as long to plan as to run on a small batch. Npgsql prepares a statement on its connection once it has
    // sent it five times, so PostgreSQL plans each once per connection. At 3,000 deliveries/s, in batches of about a
    // dozen, PostgreSQL's CPU went from 0.67-0.69 to 0.59 of a core, and the deliveries committed within 50 ms of their
    // receipt from 85.99 and 93.86% to 97.42 and 96.59% (two alternating pairs of `scripts/bench --only end-to-end`).
    // The merge reads temporary tables that are never analyzed, so a cached plan keeps the row estimate of the batch it
    // was made for; the drain's batches of 250 ran no slower (three alternating pairs of `--only drain`: 9,224-9,661
    // against 8,785-9,762 events/s). 32 leaves room for every statement the store sends, about fifteen.
    // docs/benchmarks.md, *Prepared statements*.
    private const int PreparedStatementsPerConnection = 32;

    // A pooled connection keeps its temporary staging tables (StagedUpdatesTable) instead of having DISCARD ALL drop
    // them, so a batch does not pay for creating them again. The worker sets no other session state. These settings
    // are the worker's, whatever the connection string says.
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
