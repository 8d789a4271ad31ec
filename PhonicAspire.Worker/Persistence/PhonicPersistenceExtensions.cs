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
        builder.AddNpgsqlDataSource("phonicdb", settings => settings.ConnectionString = WithoutResetOnClose(settings.ConnectionString));

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WebhookEventStore>();
        builder.Services.AddOutageResilience();
        builder.Services.AddSingleton<DatabaseMigrations>();
        builder.Services.AddHostedService(services => services.GetRequiredService<DatabaseMigrations>());
        return builder;
    }

    // A pooled connection keeps its temporary staging tables (StagedUpdatesTable) instead of having DISCARD ALL drop
    // them, so a batch does not pay for creating them again. The worker sets no other session state.
    private static string? WithoutResetOnClose(string? connectionString) =>
        connectionString is null ? null : new NpgsqlConnectionStringBuilder(connectionString) { NoResetOnClose = true }.ConnectionString;
}
