using Npgsql;

namespace PhonicAspire.Benchmarks.Drain;

/// <summary>Counts what the worker has committed to <c>webhook_events</c>.</summary>
public sealed class StoredRowCounter(NpgsqlDataSource database)
{
    public async Task<long> CountAllAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT count(*) FROM webhook_events");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> CountAsync(IReadOnlyList<string> svixIds, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT count(*) FROM webhook_events WHERE svix_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = svixIds.ToArray() });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
