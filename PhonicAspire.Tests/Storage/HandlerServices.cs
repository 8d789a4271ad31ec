using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Resilience;
using PhonicAspire.Worker.Storing;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// The worker's storage handler and what it needs, on the stack's own PostgreSQL, under an application name of the
/// test's so that PostgreSQL can tell its sessions from the running worker's.
/// </summary>
internal static class HandlerServices
{
    public static async Task<ServiceProvider> StartAsync(PhonicStackFixture stack, string applicationName, TimeProvider? clock = null)
    {
        var connectionString = await stack.App.GetConnectionStringAsync("phonicdb")
            ?? throw new InvalidOperationException("The stack has no 'phonicdb' connection string.");
        return new ServiceCollection()
            .AddLogging()
            .AddMetrics()
            .AddSingleton(clock ?? TimeProvider.System)
            .AddNpgsqlDataSource(new NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = applicationName }.ConnectionString)
            .AddOutageResilience()
            .AddSingleton<WebhookEventStore>()
            .AddSingleton<DatabaseMigrations>()
            .AddSingleton<PhonicMetrics>()
            .AddSingleton<PostgresDeliveryHandler>()
            .AddOptions<WorkerOptions>().Services
            .BuildServiceProvider();
    }
}
