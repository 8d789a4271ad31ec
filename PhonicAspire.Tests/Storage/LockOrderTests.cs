using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// Two batches, one with conversation.ended of X and conversation.analysis of Y, the other the reverse, must not
/// deadlock: each transaction takes its conversations' row locks in one global order (ids compared bytewise) before
/// any merge statement, whatever order the statements would take them in.
/// </summary>
public sealed class LockOrderTests(PhonicStackFixture stack) : StorageTests(stack)
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_batch_takes_its_conversation_locks_in_id_order_not_in_the_order_of_its_statements()
    {
        var first = $"conv_a{Guid.NewGuid():N}";
        var second = $"conv_b{Guid.NewGuid():N}";
        await Harness.StoreAsync(Delivery(Sample(Analysis, first)), Delivery(Sample(Analysis, second)));

        // Another transaction holds the first conversation, as a concurrent batch would.
        await using var holder = await Stack.OpenDatabaseAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await LockAsync(holder, first, noWait: false);

        // The merge upserts conversation.ended (the second conversation) before conversation.analysis (the first).
        var storing = Harness.StoreAsync(Delivery(Sample(Ended, second)), Delivery(Sample(Analysis, first)));
        try
        {
            // From outside any transaction: pg_stat_activity is a snapshot per transaction.
            await using var observer = await Stack.OpenDatabaseAsync();
            await Eventually.ReturnsAsync(() => CountWaitingForAsync(observer, holder.ProcessID), waiting => waiting > 0, WaitTimeout,
                "the batch to wait for the held conversation");

            // Waiting for the first conversation, the batch must not already hold the second.
            await using var probe = await Stack.OpenDatabaseAsync();
            await using var probing = await probe.BeginTransactionAsync();
            await LockAsync(probe, second, noWait: true);
        }
        finally
        {
            await holding.RollbackAsync();
            await storing.WaitAsync(WaitTimeout);
        }
    }

    [Fact]
    public async Task A_newer_ended_that_waited_for_an_older_ones_commit_replaces_the_items_the_older_one_wrote()
    {
        // Another worker's batch, mid-transaction: it has applied an older conversation.ended to a conversation new to
        // the database, with items of its own (indexes the sample does not use, so that nothing collides).
        var conversationId = $"conv_{Guid.NewGuid():N}";
        await using var holder = await Stack.OpenDatabaseAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var olderEnded = new NpgsqlBatch(holder)
        {
            BatchCommands =
            {
                new("INSERT INTO conversations (id, ended_event_created_at, ended_event_svix_id) VALUES ($1, '2025-07-14T11:00:00Z', 'msg_older')")
                {
                    Parameters = { new() { Value = conversationId } },
                },
                new("INSERT INTO conversation_items (conversation_id, item_idx) SELECT $1, idx FROM generate_series(10, 12) AS idx")
                {
                    Parameters = { new() { Value = conversationId } },
                },
            },
        })
        {
            await olderEnded.ExecuteNonQueryAsync();
        }

        // A batch of the newer conversation.ended alone, which waits for that transaction.
        var storing = Harness.StoreAsync(Delivery(Sample(Ended, conversationId, "2025-07-14T11:40:00.000Z")));
        var committed = false;
        try
        {
            await using var observer = await Stack.OpenDatabaseAsync();
            await Eventually.ReturnsAsync(() => CountWaitingForAsync(observer, holder.ProcessID), waiting => waiting > 0, WaitTimeout,
                "the batch to wait for the other transaction's conversation");
            await holding.CommitAsync();
            committed = true;
        }
        finally
        {
            if (!committed)
            {
                await holding.RollbackAsync();
            }

            await storing.WaitAsync(WaitTimeout);
        }

        await using var reader = await Stack.OpenDatabaseAsync();
        await using var items = new NpgsqlCommand("SELECT array_agg(item_idx ORDER BY item_idx) FROM conversation_items WHERE conversation_id = $1", reader)
        {
            Parameters = { new() { Value = conversationId } },
        };
        var indexes = (int[])(await items.ExecuteScalarAsync())!;
        Assert.Equal(new[] { 0, 1, 2 }, indexes);
    }

    private static async Task LockAsync(NpgsqlConnection connection, string conversationId, bool noWait)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE{(noWait ? " NOWAIT" : "")}", connection)
        {
            Parameters = { new() { Value = conversationId } },
        };
        Assert.Equal(1, await command.ExecuteScalarAsync());
    }

    /// <summary>Sessions waiting for a lock that <paramref name="holderPid"/> holds: the batch, and nothing else waits on this test's holder.</summary>
    private static async Task<long> CountWaitingForAsync(NpgsqlConnection connection, int holderPid)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND $1 = ANY (pg_blocking_pids(pid))",
            connection)
        {
            Parameters = { new() { Value = holderPid } },
        };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
