using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Persistence;

namespace PhonicAspire.Tests.Storage;

[Collection(StackCollection.Name)]
public sealed class DatabaseMigratorTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task Migrating_again_is_harmless_and_reports_ready()
    {
        var connectionString = await stack.App.GetConnectionStringAsync("phonicdb");
        await using var services = Services(connectionString!);
        var migrator = services.GetRequiredService<DatabaseMigrator>();

        await migrator.MigrateAsync(CancellationToken.None);
        await migrator.MigrateAsync(CancellationToken.None);

        Assert.True(migrator.IsReady);
        Assert.Equal(HealthStatus.Healthy, (await new DatabaseReadyHealthCheck(migrator).CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task An_unreachable_database_is_waited_for_until_cancelled()
    {
        // Nothing listens on port 1, so every attempt is refused as PostgreSQL is while it starts.
        await using var services = Services("Host=127.0.0.1;Port=1;Database=phonicdb;Username=postgres;Timeout=1");
        var migrator = services.GetRequiredService<DatabaseMigrator>();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => migrator.MigrateAsync(cancellation.Token));

        Assert.False(migrator.IsReady);
        Assert.Equal(HealthStatus.Unhealthy, (await new DatabaseReadyHealthCheck(migrator).CheckHealthAsync(new HealthCheckContext())).Status);
    }

    private static ServiceProvider Services(string connectionString) => new ServiceCollection()
        .AddLogging()
        .AddSingleton(TimeProvider.System)
        .AddDbContext<PhonicDbContext>(options => options.UseNpgsql(connectionString).ApplyPhonicConventions())
        .AddSingleton<DatabaseMigrator>()
        .BuildServiceProvider();
}
