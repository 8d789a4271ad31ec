using Npgsql;

namespace PhonicAspire.Benchmarks.EndToEnd;

/// <summary>
/// Percentiles of <c>stored_at - received_at</c> for given deliveries, and how many batches stored them. The worker
/// stamps <c>stored_at</c> when it begins a batch's transaction, not at its commit: the rows show the wait before a
/// batch, the worker's histogram (<see cref="EndToEndResult.ReceiptToCommit"/>) the whole way to the commit.
/// </summary>
public sealed class StoreLatencyQuery(NpgsqlDataSource database)
{
    private const string Sql = """
        SELECT
            percentile_disc(0.50) WITHIN GROUP (ORDER BY stored_at - received_at),
            percentile_disc(0.99) WITHIN GROUP (ORDER BY stored_at - received_at),
            count(DISTINCT stored_at)
        FROM webhook_events WHERE svix_id = ANY($1)
        """;

    public async Task<StoreLatency> RunAsync(IReadOnlyList<string> svixIds, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter { Value = svixIds.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StoreLatency(reader.GetFieldValue<TimeSpan>(0), reader.GetFieldValue<TimeSpan>(1), reader.GetInt64(2));
    }
}

/// <param name="StampP50">stored_at - received_at, as the row records it.</param>
public sealed record StoreLatency(TimeSpan StampP50, TimeSpan StampP99, long Batches);
