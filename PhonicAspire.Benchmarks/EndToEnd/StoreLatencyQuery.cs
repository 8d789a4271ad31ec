using Npgsql;

namespace PhonicAspire.Benchmarks.EndToEnd;

/// <summary>
/// Percentiles of <c>stored_at - received_at</c> for given deliveries. The worker stamps <c>stored_at</c> when it
/// begins a batch's transaction, not at its commit; with a single worker the next batch begins only after this one
/// committed and was acknowledged, so the next batch's <c>stored_at</c> bounds the commit from above.
/// </summary>
public sealed class StoreLatencyQuery(NpgsqlDataSource database)
{
    private const string Sql = """
        WITH sent AS (
            SELECT received_at, stored_at FROM webhook_events WHERE svix_id = ANY($1)),
        batches AS (
            SELECT stored_at, lead(stored_at) OVER (ORDER BY stored_at) AS next_batch_at
            FROM (SELECT DISTINCT stored_at FROM sent) AS distinct_batches)
        SELECT
            percentile_disc(0.50) WITHIN GROUP (ORDER BY sent.stored_at - sent.received_at),
            percentile_disc(0.99) WITHIN GROUP (ORDER BY sent.stored_at - sent.received_at),
            percentile_disc(0.50) WITHIN GROUP (ORDER BY batches.next_batch_at - sent.received_at),
            percentile_disc(0.99) WITHIN GROUP (ORDER BY batches.next_batch_at - sent.received_at),
            count(DISTINCT sent.stored_at)
        FROM sent JOIN batches USING (stored_at)
        """;

    public async Task<StoreLatency> RunAsync(IReadOnlyList<string> svixIds, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter { Value = svixIds.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StoreLatency(
            reader.GetFieldValue<TimeSpan>(0),
            reader.GetFieldValue<TimeSpan>(1),
            reader.GetFieldValue<TimeSpan>(2),
            reader.GetFieldValue<TimeSpan>(3),
            reader.GetInt64(4));
    }
}

/// <param name="StampP50">stored_at - received_at, as the row records it.</param>
/// <param name="CommitBoundP50">next batch's stored_at - received_at: no earlier than the commit.</param>
public sealed record StoreLatency(TimeSpan StampP50, TimeSpan StampP99, TimeSpan CommitBoundP50, TimeSpan CommitBoundP99, long Batches);
