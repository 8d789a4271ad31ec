using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Persistence;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// The registration the worker uses, with Aspire's client integration, and what the store sends PostgreSQL through it.
/// Each exchange with PostgreSQL is a wait for its answer on two busy cores: a batch makes as few as it can, counted as
/// Npgsql traces them (a command, a batch of statements or a COPY each).
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

        Assert.Equal([delivery.SvixId], result.Stored.Select(kept => kept.SvixId));
        // Pooled connections keep their staging tables (StagingTables) rather than dropping them on return, and
        // write a batch's COPY in 64 KiB flushes.
        var connectionString = new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);
        Assert.True(connectionString.NoResetOnClose, connectionString.ConnectionString);
        Assert.Equal(64 * 1024, connectionString.WriteBufferSize);
    }

    [Fact]
    public async Task A_pooled_connection_keeps_the_stores_statements_prepared_so_postgres_plans_each_once()
    {
        // One connection, so the batches and the question below all run on the same session.
        using var host = await OneSessionWorkerPersistence.StartAsync(stack);
        var store = host.Services.GetRequiredService<WebhookEventStore>();

        for (var batch = 0; batch < 8; batch++)
        {
            await store.StoreBatchAsync([Delivery(Sample(Ended, NewConversationId())), Delivery(Sample(Analysis, NewConversationId()))], CancellationToken.None);
        }

        await using var question = host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT statement FROM pg_prepared_statements");
        await using var reader = await question.ExecuteReaderAsync();
        var prepared = new List<string>();
        while (await reader.ReadAsync())
        {
            prepared.Add(reader.GetString(0));
        }

        Assert.Contains(prepared, statement => statement.Contains("FROM webhook_events WHERE svix_id = ANY", StringComparison.Ordinal));
        Assert.Contains(prepared, statement => statement.Contains("INSERT INTO conversations", StringComparison.Ordinal));
        Assert.Contains(prepared, statement => statement.Contains("INSERT INTO conversation_items", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_batch_of_every_event_type_is_stored_in_four_exchanges_the_last_of_which_commits()
    {
        using var host = await OneSessionWorkerPersistence.StartAsync(stack);
        var store = host.Services.GetRequiredService<WebhookEventStore>();
        var conversationId = NewConversationId();
        // A first batch on the session creates its staging tables; the one measured finds them.
        await store.StoreBatchAsync([Delivery(Sample(Ended, NewConversationId()))], CancellationToken.None);

        var exchanges = await TracedExchangesAsync(() => store.StoreBatchAsync(
            [Delivery(Sample(Ended, conversationId)), Delivery(Sample(Analysis, conversationId)), Delivery(Sample(Transferred, conversationId))],
            CancellationToken.None));

        // The svix ids already stored (with the staging tables created), the webhook_events COPY, the staging COPY,
        // the merge with its commit.
        Assert.True(exchanges.Count == 4, $"{exchanges.Count} exchanges:\n{string.Join("\n---\n", exchanges)}");
        Assert.EndsWith("COMMIT", exchanges[^1].TrimEnd(), StringComparison.Ordinal);
    }

    /// <summary>The text of each exchange Npgsql traces while <paramref name="store"/> runs, in order.</summary>
    private static async Task<List<string>> TracedExchangesAsync(Func<Task> store)
    {
        using var root = new Activity(nameof(TracedExchangesAsync)).Start();
        var exchanges = new List<string>();
        using var listener = new ActivityListener
        {
            // Npgsql's source is process-wide: other tests' exchanges are told apart by their trace.
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent.TraceId == root.TraceId ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                lock (exchanges)
                {
                    exchanges.Add((activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement") ?? activity.DisplayName).ToString()!);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await store();
        lock (exchanges)
        {
            return [.. exchanges];
        }
    }
}
