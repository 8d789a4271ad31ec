using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Resilience;

namespace Microsoft.Extensions.Hosting;

public static class PhonicPersistenceExtensions
{
    /// <summary>
    /// Registers <see cref="PhonicDbContext"/> on the <c>phonicdb</c> connection (Aspire's client integration,
    /// with its health check, tracing and metrics), the scoped <see cref="WebhookEventStore"/>, and
    /// <see cref="DatabaseMigrations"/>, which brings the schema up to date at start-up.
    /// </summary>
    public static IHostApplicationBuilder AddPhonicPersistence(this IHostApplicationBuilder builder)
    {
        builder.AddNpgsqlDbContext<PhonicDbContext>(
            "phonicdb",
            // The worker owns retries (OutageResilience): it backs off while PostgreSQL is away, reports unhealthy
            // meanwhile and stops waiting at shutdown, none of which EF's retrying strategy, nested inside, would let it do.
            configureSettings: settings =>
            {
                settings.DisableRetry = true;
                settings.ConnectionString = WithoutResetOnClose(settings.ConnectionString);
            },
            configureDbContextOptions: options => options.ApplyPhonicConventions());

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<WebhookEventStore>();
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
