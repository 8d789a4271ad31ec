using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>The fields of a webhook stream entry as the API appends them, for entries a test puts in the stream itself.</summary>
public static class StreamEntryFields
{
    public static NameValueEntry[] Of(SignedWebhook webhook, string eventType) =>
    [
        new(WebhookStream.Fields.SvixId, webhook.SvixId),
        new(WebhookStream.Fields.EventType, eventType),
        new(WebhookStream.Fields.ReceivedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        new(WebhookStream.Fields.Body, webhook.Body),
    ];
}
