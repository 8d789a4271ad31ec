using Npgsql;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>Reads what the worker stored, straight from PostgreSQL, and what it left in the stream.</summary>
public static class StoredEvents
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Rows of these svix ids: at most one each, which the primary key keeps.</summary>
    public static Task<long> CountAsync(PhonicStackFixture stack, params string[] svixIds) =>
        QueryCountAsync(stack, "SELECT count(*) FROM webhook_events WHERE svix_id = ANY($1)", svixIds);

    /// <summary>Rows of the webhooks the API's <c>send-test-webhook</c> command sent (svix ids <c>msg_test_…</c>), of one event type or all.</summary>
    public static Task<long> CountTestWebhooksAsync(PhonicStackFixture stack, string? eventType = null) =>
        QueryCountAsync(stack, "SELECT count(*) FROM webhook_events WHERE svix_id LIKE 'msg\\_test\\_%' AND ($1::text IS NULL OR event_type = $1)", eventType);

    private static async Task<long> QueryCountAsync(PhonicStackFixture stack, string sql, object? parameter)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = parameter ?? DBNull.Value } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Waits until the webhook has a row, and, for one the API accepted, until its stream entry is acknowledged and
    /// deleted (the API remembers which entry it appended under the svix id): stored and nothing left behind.
    /// Returns the number of rows, which the primary key keeps at one; what the worker controls is the rest.
    /// </summary>
    public static async Task<long> WaitUntilStoredAsync(PhonicStackFixture stack, string svixId, TimeSpan? timeout = null)
    {
        var stored = await Eventually.ReturnsAsync(() => CountAsync(stack, svixId), count => count > 0, timeout ?? DefaultTimeout, $"webhook {svixId} to be stored");
        var entryId = (string?)await stack.Redis.StringGetAsync(WebhookStream.AcceptedKeyPrefix + svixId);
        if (entryId is not null)
        {
            await WaitUntilLeftStreamAsync(stack, entryId, $"stream entry {entryId} of {svixId} to be acknowledged and deleted");
        }

        return stored;
    }

    /// <summary>
    /// Waits until the entry has left the webhook stream: acknowledged or dead-lettered, it goes with the next trim
    /// once no group needs anything before it, so not always in the same step.
    /// </summary>
    public static Task WaitUntilLeftStreamAsync(PhonicStackFixture stack, RedisValue entryId, string what) =>
        Eventually.ReturnsAsync(
            async () => (await stack.Redis.StreamRangeAsync(WebhookStream.Name, entryId, entryId)).Length,
            left => left == 0, DefaultTimeout, what);
}
