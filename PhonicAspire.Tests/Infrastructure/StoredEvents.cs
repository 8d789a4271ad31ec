using Npgsql;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>Reads what the worker stored, straight from PostgreSQL.</summary>
public static class StoredEvents
{
    public static async Task<long> CountAsync(PhonicStackFixture stack, string svixId)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM webhook_events WHERE svix_id = $1", connection)
        {
            Parameters = { new() { Value = svixId } },
        };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static Task<long> WaitUntilStoredAsync(PhonicStackFixture stack, string svixId, TimeSpan? timeout = null) =>
        Eventually.ReturnsAsync(() => CountAsync(stack, svixId), count => count > 0, timeout ?? TimeSpan.FromSeconds(60), $"webhook {svixId} to be stored");
}
