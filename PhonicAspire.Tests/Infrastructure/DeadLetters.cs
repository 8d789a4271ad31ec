using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>Puts entries into the dead-letter stream with the fields the worker writes there.</summary>
public static class DeadLetters
{
    public static Task<RedisValue> AddAsync(IDatabase redis, SignedWebhook webhook, string eventType, string reason) =>
        redis.StreamAddAsync(WebhookStream.DeadLetterName,
        [
            new NameValueEntry(WebhookStream.Fields.SvixId, webhook.SvixId),
            new NameValueEntry(WebhookStream.Fields.EventType, eventType),
            new NameValueEntry(WebhookStream.Fields.ReceivedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            new NameValueEntry(WebhookStream.Fields.Body, webhook.Body),
            new NameValueEntry(WebhookStream.Fields.Error, reason),
            new NameValueEntry(WebhookStream.Fields.OriginalEntryId, "1-0"),
        ]);
}
