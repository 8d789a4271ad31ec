using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Persistence.Staging;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// A pooled connection keeps its staging tables from batch to batch (<see cref="StagingTables"/>): each batch must
/// leave them empty for the next, and the rows it deletes must not pile up in them.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class StagingTableTests(PhonicStackFixture stack) : IAsyncLifetime
{
    private IHost? _host;

    private IHost WorkerHost => _host ?? throw new InvalidOperationException("The host has not started.");

    private WebhookEventStore Store => WorkerHost.Services.GetRequiredService<WebhookEventStore>();

    // One connection, so that every batch and every question below runs on the same session and its tables.
    public async Task InitializeAsync() => _host = await OneSessionWorkerPersistence.StartAsync(stack);

    public Task DisposeAsync()
    {
        _host?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_batch_on_a_connection_that_stored_one_before_merges_only_its_own_events()
    {
        var first = NewConversationId();
        var second = NewConversationId();

        await Store.StoreBatchAsync([Delivery(Sample(Ended, first))], CancellationToken.None);
        await Store.StoreBatchAsync([Delivery(Sample(Ended, second))], CancellationToken.None);

        foreach (var conversationId in (string[])[first, second])
        {
            Assert.Equal(3, await CountAsync("SELECT count(*) FROM conversation_items WHERE conversation_id = $1", conversationId));
            Assert.Equal(1, await CountAsync("SELECT count(*) FROM tool_calls WHERE conversation_id = $1", conversationId));
        }
    }

    [Fact]
    public async Task The_rows_a_connections_batches_delete_from_its_staging_tables_are_vacuumed_as_they_add_up()
    {
        // Until batches have added four times the limit to the tables, which without a VACUUM would hold all of it;
        // with one, the tables never hold much more than the limit (a page is more than the rows' bytes in it).
        var limit = StagingTables.VacuumAfterBytes;
        var sizes = new List<long> { await StagingTablesSizeAsync() };
        for (var added = 0L; added <= 4 * limit;)
        {
            Assert.True(sizes.Count <= 4_000, $"4,000 batches added {added} bytes to the staging tables.");
            await StoreFiveEndedAsync();
            sizes.Add(await StagingTablesSizeAsync());
            added += Math.Max(0, sizes[^1] - sizes[^2]);
        }

        // Vacuumed, and only as often as the batches' rows add up to the limit: not after every batch.
        Assert.All(sizes, size => Assert.InRange(size, 0, 2 * limit));
        Assert.InRange(sizes.Skip(1).Zip(sizes).Count(pair => pair.First < pair.Second), 1, 16);
    }

    private Task StoreFiveEndedAsync() =>
        Store.StoreBatchAsync([.. Enumerable.Range(0, 5).Select(_ => Delivery(Sample(Ended, NewConversationId())))], CancellationToken.None);

    /// <summary>The pages of this session's staging tables, TOAST included; none before its first batch.</summary>
    private Task<long> StagingTablesSizeAsync() => CountAsync("""
        SELECT coalesce(sum(pg_table_size(c.oid)), 0)::bigint
        FROM pg_class AS c
        WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind = 'r'
        """);

    private async Task<long> CountAsync(string sql, params object[] parameters)
    {
        await using var command = WorkerHost.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        foreach (var value in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }
}
