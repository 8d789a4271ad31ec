using System.Globalization;
using StackExchange.Redis;

namespace PhonicAspire.Webhooks;

/// <summary>
/// How a <see cref="QueuedDelivery"/> is written as the fields of a webhook stream entry and read back: the one
/// place that knows the entry format the API, the worker and the command line share.
/// </summary>
public static class DeliveryEntry
{
    private static readonly long MaxUnixMilliseconds = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();
    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>
    /// The entry's fields and values flattened, as a script passes them on to <c>XADD</c>, after
    /// <paramref name="leading"/> (the script's own arguments). Built straight into one array: the API does this for
    /// every delivery.
    /// </summary>
    /// <remarks><see cref="EnqueueScript"/> takes each delivery as the count of these, then these: <see cref="ToCountedArguments"/>.</remarks>
    public static RedisValue[] ToArguments(QueuedDelivery delivery, params ReadOnlySpan<RedisValue> leading)
    {
        const int AlwaysWritten = 7;
        var optional = (delivery.Reprocess ? 1 : 0) + (delivery.ReplayedAt is null ? 0 : 1) + (delivery.ForwardTo is null ? 0 : 1);
        var arguments = new RedisValue[leading.Length + 2 * (AlwaysWritten + optional)];
        leading.CopyTo(arguments);
        var next = leading.Length;
        void Add(string name, RedisValue value)
        {
            arguments[next++] = name;
            arguments[next++] = value;
        }

        Add(WebhookStream.Fields.SvixId, delivery.SvixId);
        Add(WebhookStream.Fields.EventType, delivery.EventType ?? string.Empty);
        Add(WebhookStream.Fields.ConversationId, delivery.ConversationId ?? string.Empty);
        Add(WebhookStream.Fields.ReceivedAt, delivery.ReceivedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        Add(WebhookStream.Fields.TraceParent, delivery.TraceParent ?? string.Empty);
        Add(WebhookStream.Fields.TraceState, delivery.TraceState ?? string.Empty);
        Add(WebhookStream.Fields.Body, delivery.Body);
        if (delivery.Reprocess)
        {
            Add(WebhookStream.Fields.Reprocess, "1");
        }

        if (delivery.ReplayedAt is { } replayedAt)
        {
            Add(WebhookStream.Fields.ReplayedAt, replayedAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        }

        if (delivery.ForwardTo is { } destination)
        {
            Add(WebhookStream.Fields.ForwardTo, destination);
        }

        return arguments;
    }

    /// <summary>The entry's fields and values after their count, as <see cref="EnqueueScript"/> takes each delivery.</summary>
    public static RedisValue[] ToCountedArguments(QueuedDelivery delivery)
    {
        var arguments = ToArguments(delivery, RedisValue.Null);
        arguments[0] = arguments.Length - 1;
        return arguments;
    }

    /// <summary>The entry's fields, as <c>XADD</c> appends them.</summary>
    public static NameValueEntry[] ToFields(QueuedDelivery delivery) =>
        [.. ToArguments(delivery).Chunk(2).Select(pair => new NameValueEntry(pair[0], pair[1]))];

    /// <summary>Reads an entry back; one without a svix id, a receipt time or a body, or with a time that is not one, can never be stored.</summary>
    /// <exception cref="MalformedStreamEntryException">The entry lacks what every delivery has, or holds a time that is not one.</exception>
    public static QueuedDelivery Read(StreamEntry entry)
    {
        string? svixId = null, eventType = null, conversationId = null, traceParent = null, traceState = null, forwardTo = null;
        DateTimeOffset? receivedAt = null, replayedAt = null;
        string? unreadableTime = null;
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
                    receivedAt = UnixTime(field.Value, MaxUnixMilliseconds, DateTimeOffset.FromUnixTimeMilliseconds);
                    unreadableTime ??= receivedAt is null ? (string?)field.Name : null;
                    break;
                case WebhookStream.Fields.Body: body = (byte[]?)field.Value; break;
                case WebhookStream.Fields.Reprocess: reprocess = field.Value == "1"; break;
                case WebhookStream.Fields.ForwardTo: forwardTo = field.Value; break;
                case WebhookStream.Fields.ReplayedAt:
                    replayedAt = UnixTime(field.Value, MaxUnixSeconds, DateTimeOffset.FromUnixTimeSeconds);
                    unreadableTime ??= replayedAt is null ? (string?)field.Name : null;
                    break;
            }
        }

        var routing = new DeliveryRouting(NullIfEmpty(eventType), reprocess, NullIfEmpty(forwardTo));
        if (unreadableTime is not null)
        {
            throw new MalformedStreamEntryException(entry.Id!, $"its {unreadableTime} is not a time since 1970 before the year 10000", routing);
        }

        if (string.IsNullOrEmpty(svixId) || receivedAt is null || body is null)
        {
            throw new MalformedStreamEntryException(entry.Id!, "the entry lacks svix_id, received_at or body", routing);
        }

        return new QueuedDelivery(
            svixId,
            NullIfEmpty(eventType),
            NullIfEmpty(conversationId),
            receivedAt.Value,
            body.Value,
            NullIfEmpty(traceParent),
            NullIfEmpty(traceState),
            reprocess,
            NullIfEmpty(forwardTo),
            replayedAt);
    }

    // Digits that fit a long can still name a time past what DateTimeOffset holds, which would throw where the entry
    // is read and take its whole batch down with it.
    private static DateTimeOffset? UnixTime(RedisValue value, long max, Func<long, DateTimeOffset> fromUnix) =>
        long.TryParse((string?)value, NumberStyles.None, CultureInfo.InvariantCulture, out var units) && units <= max ? fromUnix(units) : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>An entry that no attempt could ever store, so it goes straight to the dead-letter stream.</summary>
public sealed class MalformedStreamEntryException(string entryId, string reason, DeliveryRouting routing)
    : Exception($"Stream entry {entryId} is malformed: {reason}.")
{
    /// <summary>Which consumers the entry was for, as far as its fields tell.</summary>
    public DeliveryRouting Routing { get; } = routing;
}
