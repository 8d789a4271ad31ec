using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>Puts entries into a dead-letter stream with the fields the worker writes there, and finds or removes a test's own.</summary>
public static class DeadLetters
{
    public static Task<RedisValue> AddAsync(IDatabase redis, SignedWebhook webhook, string eventType, string reason) =>
        redis.StreamAddAsync(WebhookStream.DeadLetterName,
        [
            .. StreamEntryFields.Of(webhook, eventType),
            new NameValueEntry(WebhookStream.Fields.Error, reason),
            new NameValueEntry(WebhookStream.Fields.OriginalEntryId, "1-0"),
        ]);

    /// <summary>The dead letters in <paramref name="deadLetters"/> of these svix ids.</summary>
    public static async Task<StreamEntry[]> OfAsync(IDatabase redis, string deadLetters, params string[] svixIds) =>
        [.. (await redis.StreamRangeAsync(deadLetters)).Where(entry => svixIds.Contains((string?)entry[WebhookStream.Fields.SvixId]))];

    /// <summary>Removes the dead letters of these svix ids, so that no later test replays or counts them.</summary>
    public static async Task DeleteOfAsync(IDatabase redis, string deadLetters, params string[] svixIds)
    {
        if ((await OfAsync(redis, deadLetters, svixIds)).Select(entry => entry.Id).ToArray() is { Length: > 0 } ids)
        {
            await redis.StreamDeleteAsync(deadLetters, ids);
        }
    }

    /// <summary>
    /// Sets the stack's dead-letter stream aside and writes a string in its place, as an operator's slip with
    /// <c>SET</c> would; disposing the result puts the stream back.
    /// </summary>
    public static async Task<IAsyncDisposable> OverwriteWithStringAsync(IDatabase redis)
    {
        var setAside = $"{WebhookStream.DeadLetterName}:set-aside-by-test:{Guid.NewGuid():N}";
        await redis.ScriptEvaluateAsync(
            "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('RENAME', KEYS[1], KEYS[2]) end redis.call('SET', KEYS[1], 'not a stream')",
            [WebhookStream.DeadLetterName, setAside]);
        return new Restore(redis, setAside);
    }

    private sealed class Restore(IDatabase redis, string setAside) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() =>
            await redis.ScriptEvaluateAsync(
                "redis.call('DEL', KEYS[1]) if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RENAME', KEYS[2], KEYS[1]) end",
                [WebhookStream.DeadLetterName, setAside]);
    }
}
