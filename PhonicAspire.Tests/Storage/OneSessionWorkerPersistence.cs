using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Persistence;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// The worker's persistence as it registers it (Aspire's client integration, its pooled-connection settings), on the
/// stack's PostgreSQL with a pool of one connection: every batch, and every question a test asks through the data
/// source between them, runs on the same session, with its staging tables and prepared statements. Migrated.
/// </summary>
internal static class OneSessionWorkerPersistence
{
    public static async Task<IHost> StartAsync(PhonicStackFixture stack)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:phonicdb"] = new NpgsqlConnectionStringBuilder(await stack.App.GetConnectionStringAsync("phonicdb"))
        {
            MaxPoolSize = 1,
        }.ConnectionString;
        builder.AddPhonicPersistence();
        var host = builder.Build();
        await host.Services.GetRequiredService<DatabaseMigrations>().MigrateAsync(CancellationToken.None);
        return host;
    }
}
