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

    // A pooled connection keeps its temporary staging tables (StagedUpdatesTable) instead of having DISCARD ALL drop
    // them, so a batch does not pay for creating them again. The worker sets no other session state.
    // A batch's COPY sends about 7 kB an event (raw body, payload, staged update), which Npgsql's default 8 KiB write
    // buffer flushes to the socket about once an event, each flush an asynchronous send. 64 KiB cut the CPU the
    // worker spends storing a batch by an eighth; 256 KiB by a fifth, but raised the workers' peaks by 2-4 MB, where
    // they sit at the memory target (docs/benchmarks.md, *Drain, the COPY's flushes*). 64 KiB stays off the
    // large-object heap.
    private const int WriteBufferBytes = 64 * 1024;

    private static string? ForBatches(string? connectionString) =>
        connectionString is null
            ? null
            : new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true, WriteBufferSize = WriteBufferBytes }.ConnectionString;
}
