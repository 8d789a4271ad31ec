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
}
