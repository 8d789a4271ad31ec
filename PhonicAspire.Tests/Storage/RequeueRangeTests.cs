using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Persistence;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// <c>phonic requeue --from … --to …</c> reads a range of webhook_events by received_at, a table that only grows; the
/// read must be able to go to the range's pages instead of through every row ever stored.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class RequeueRangeTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task Reading_a_received_at_range_to_requeue_can_use_an_index_instead_of_scanning_the_table()
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // The planner's choice on this small test table says nothing; with sequential scans priced out it shows
        // whether anything else could serve the range.
        await using (var noSequentialScans = new NpgsqlCommand("SET LOCAL enable_seqscan = off", connection, transaction))
        {
            await noSequentialScans.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand($"EXPLAIN {StoredWebhookReader.ReceivedBetweenSql}", connection, transaction)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.Zero) },
                new NpgsqlParameter { Value = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero) },
            },
        };
        var plan = string.Join('\n', await ReadLinesAsync(explain));

        Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
        Assert.Contains("ix_webhook_events_received_at", plan, StringComparison.Ordinal);
    }

    private static async Task<List<string>> ReadLinesAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}
