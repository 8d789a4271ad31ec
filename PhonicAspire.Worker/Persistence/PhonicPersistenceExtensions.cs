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

    // A pooled connection keeps its temporary staging tables (StagedUpdatesTable) instead of having DISCARD ALL drop
    // them, so a batch does not pay for creating them again. The worker sets no other session state. Both settings
    // are the worker's, whatever the connection string says.
    private static string? ForBatches(string? connectionString) =>
        connectionString is null
            ? null
            : new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true, WriteBufferSize = WriteBufferBytes }.ConnectionString;
}
