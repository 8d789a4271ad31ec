using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Resilience;

namespace PhonicAspire.Tests.Storage;

[Collection(StackCollection.Name)]
public sealed class DatabaseMigratorTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task Migrating_again_is_harmless_and_leaves_nothing_pending()
    {
        var connectionString = await stack.App.GetConnectionStringAsync("phonicdb");
        await using var services = Services(connectionString!);
        var migrator = services.GetRequiredService<DatabaseMigrations>();

        await migrator.MigrateAsync(CancellationToken.None);
        await migrator.MigrateAsync(CancellationToken.None);

        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<PhonicDbContext>();
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
    }

    [Fact]
    public async Task Workers_starting_together_on_an_empty_database_apply_the_schema_once()
    {
        var connectionString = await stack.App.GetConnectionStringAsync("phonicdb");
        var database = $"phonic_migrations_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {database}");
        var fresh = new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;
        var workers = Enumerable.Range(0, 3).Select(_ => Services(fresh)).ToArray();
        try
        {
            await Task.WhenAll(workers.Select(worker => worker.GetRequiredService<DatabaseMigrations>().MigrateAsync(CancellationToken.None)));

            await using var scope = workers[0].CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<PhonicDbContext>();
            Assert.Equal(context.Database.GetMigrations(), await context.Database.GetAppliedMigrationsAsync());
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }

            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP DATABASE {database} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task A_migration_that_waits_longer_than_a_commands_timeout_still_completes()
    {
        // A migration that reads a large table (building an index) takes as long as the read; here the wait is for
        // another worker's migration lock, held for longer than the data source's command timeout (1 s). The outage
        // retries run on a clock that never moves, so only the first attempt can complete.
        var connectionString = await stack.App.GetConnectionStringAsync("phonicdb");
        var database = $"phonic_migrations_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {database}");
        var fresh = new NpgsqlConnectionStringBuilder(connectionString) { Database = database, CommandTimeout = 1 }.ConnectionString;
        await using var worker = Services(fresh, new FakeTimeProvider());
        // Cancelled whatever happens, so that an attempt left waiting for a retry does not hold the disposal up.
        using var stop = new CancellationTokenSource();
        try
        {
            Task migrating;
            await using (var otherWorker = new NpgsqlConnection(fresh))
            {
                await otherWorker.OpenAsync();
                await using var holding = await otherWorker.BeginTransactionAsync();
                await using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", otherWorker, holding) { Parameters = { new NpgsqlParameter { Value = SchemaScript.MigrationLock } } })
                {
                    await take.ExecuteNonQueryAsync();
                }

                migrating = worker.GetRequiredService<DatabaseMigrations>().MigrateAsync(stop.Token);
                await Task.Delay(TimeSpan.FromSeconds(3));
            }

            await migrating.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await stop.CancelAsync();
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync($"DROP DATABASE {database} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task An_unreachable_database_is_waited_for_until_cancelled()
    {
        // Nothing listens on port 1, so every attempt is refused as PostgreSQL is while it starts.
        await using var services = Services("Host=127.0.0.1;Port=1;Database=phonicdb;Username=postgres;Timeout=1");
        var migrator = services.GetRequiredService<DatabaseMigrations>();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => migrator.MigrateAsync(cancellation.Token));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static ServiceProvider Services(string connectionString, TimeProvider? clock = null) => new ServiceCollection()
        .AddLogging()
        .AddSingleton(clock ?? TimeProvider.System)
        .AddNpgsqlDataSource(connectionString)
        .AddDbContext<PhonicDbContext>(options => options.UseNpgsql(connectionString).ApplyPhonicConventions())
        .AddOutageResilience()
        .AddSingleton<DatabaseMigrations>()
        .BuildServiceProvider();
}
