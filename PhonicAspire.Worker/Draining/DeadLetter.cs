using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// An entry of a dead-letter stream as an operator reads it: why it is there, what it is, since when, and for a
/// forward, which destination did not take it.
/// </summary>
public sealed record DeadLetter(
    string EntryId,
    string? SvixId,
    string? EventType,
    string? Reason,
    string? OriginalEntryId,
    string? Destination,
    DateTimeOffset DeadLetteredAt,
    TimeSpan Age,
    ReadOnlyMemory<byte>? Body)
{
    public static DeadLetter From(StreamEntry entry, TimeProvider timeProvider)
    {
        var id = entry.Id.ToString();
        var deadLetteredAt = StreamEntryId.Parse(id).AppendedAt;
        string? Field(string name) => entry[name] is { IsNull: false } value ? (string?)value : null;
        return new DeadLetter(
            id,
            Field(WebhookStream.Fields.SvixId),
            Field(WebhookStream.Fields.EventType),
            Field(WebhookStream.Fields.Error),
            Field(WebhookStream.Fields.OriginalEntryId),
            Field(WebhookStream.Fields.Destination),
            deadLetteredAt,
            timeProvider.GetUtcNow() - deadLetteredAt,
            entry[WebhookStream.Fields.Body] is { IsNull: false } body ? (byte[]?)body : null);
    }
}
