using System.Diagnostics;
using System.Globalization;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Persistence;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Streaming;

/// <summary>Turns the fields the API wrote into a <see cref="StreamDelivery"/>; a malformed entry is a poison entry.</summary>
public static class StreamEntryReader
{
    public static StreamDelivery Read(StreamEntry entry)
    {
        string? svixId = null, eventType = null, conversationId = null, traceParent = null, traceState = null;
        long? receivedAt = null;
        var reprocess = false;
        ReadOnlyMemory<byte>? body = null;

        foreach (var field in entry.Values)
        {
            switch ((string?)field.Name)
            {
                case WebhookStream.Fields.SvixId: svixId = field.Value; break;
                case WebhookStream.Fields.EventType: eventType = field.Value; break;
                case WebhookStream.Fields.ConversationId: conversationId = field.Value; break;
                case WebhookStream.Fields.TraceParent: traceParent = field.Value; break;
                case WebhookStream.Fields.TraceState: traceState = field.Value; break;
                case WebhookStream.Fields.ReceivedAt:
                    receivedAt = long.TryParse((string?)field.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) ? milliseconds : null;
                    break;
                case WebhookStream.Fields.Body: body = (byte[]?)field.Value; break;
                case WebhookStream.Fields.Reprocess: reprocess = field.Value == "1"; break;
            }
        }

        if (string.IsNullOrEmpty(svixId) || receivedAt is null || body is null)
        {
            throw new MalformedStreamEntryException(entry.Id!, "the entry lacks svix_id, received_at or body");
        }

        ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var traceContext);
        var webhook = new ReceivedWebhook(
            svixId,
            string.IsNullOrEmpty(eventType) ? null : eventType,
            DateTimeOffset.FromUnixTimeMilliseconds(receivedAt.Value),
            body.Value,
            reprocess);

        return new StreamDelivery(entry.Id!, webhook, string.IsNullOrEmpty(conversationId) ? null : conversationId, traceContext);
    }
}

/// <summary>An entry that no attempt could ever store, so it goes straight to the dead-letter stream.</summary>
public sealed class MalformedStreamEntryException(string entryId, string reason)
    : Exception($"Stream entry {entryId} is malformed: {reason}.");
