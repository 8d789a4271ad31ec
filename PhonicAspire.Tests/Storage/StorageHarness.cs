using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Resilience;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// The store, its migrator and an EF context for reading back, all on the stack's own PostgreSQL. Tests share that
/// database with each other and the running worker, so each uses fresh svix and conversation ids.
/// </summary>
internal sealed class StorageHarness(ServiceProvider services) : IAsyncDisposable
{
    public static readonly DateTimeOffset StoredAt = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static async Task<StorageHarness> StartAsync(PhonicStackFixture stack)
    {
        var connectionString = await stack.App.GetConnectionStringAsync("phonicdb")
            ?? throw new InvalidOperationException("The stack has no 'phonicdb' connection string.");
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<TimeProvider>(new FakeTimeProvider(StoredAt))
            .AddNpgsqlDataSource(connectionString)
            .AddDbContext<PhonicDbContext>(options => options.UseNpgsql(connectionString).ApplyPhonicConventions())
            .AddSingleton<WebhookEventStore>()
            .AddOutageResilience()
            .AddSingleton<DatabaseMigrations>()
            .BuildServiceProvider();

        var migrator = services.GetRequiredService<DatabaseMigrations>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await migrator.MigrateAsync(timeout.Token);
        return new StorageHarness(services);
    }

    public Task<BatchStoreResult> StoreAsync(params IReadOnlyList<QueuedDelivery> batch) =>
        services.GetRequiredService<WebhookEventStore>().StoreBatchAsync(batch, CancellationToken.None);

    public async Task<T> QueryAsync<T>(Func<PhonicDbContext, Task<T>> query)
    {
        await using var scope = services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<PhonicDbContext>();
        context.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        return await query(context);
    }

    public ValueTask DisposeAsync() => services.DisposeAsync();
}
