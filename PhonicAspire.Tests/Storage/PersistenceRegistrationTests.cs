using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Persistence;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// The registration the worker uses, with Aspire's client integration.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class PersistenceRegistrationTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task Registered_store_and_migrator_work_through_the_aspire_integration()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:phonicdb"] = await stack.App.GetConnectionStringAsync("phonicdb");
        builder.AddPhonicPersistence();
        using var host = builder.Build();

        await host.Services.GetRequiredService<DatabaseMigrations>().MigrateAsync(CancellationToken.None);
        var delivery = Delivery(Sample(Ended, NewConversationId()));
        var result = await host.Services.GetRequiredService<WebhookEventStore>().StoreBatchAsync([delivery], CancellationToken.None);

        Assert.Equal([delivery.SvixId], result.Stored);
        // Pooled connections keep their staging tables (StagedUpdatesTable) rather than dropping them on return, and
        // write a batch's COPY in 64 KiB flushes.
        var connectionString = new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);
        Assert.True(connectionString.NoResetOnClose, connectionString.ConnectionString);
        Assert.Equal(64 * 1024, connectionString.WriteBufferSize);
    }
}
