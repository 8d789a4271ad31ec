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

/// <summary>Which dead letters an operation is about: one svix id, those whose reason contains a text, or all.</summary>
public sealed record DeadLetterFilter(string? SvixId = null, string? Reason = null)
{
    public static DeadLetterFilter All { get; } = new();

    // Empty means "any" to the replay script, and a blank reason is in nearly every reason, so a blank filter would be
    // All by accident; All is asked for by name.
    public string? SvixId { get; } = SvixId is not null && string.IsNullOrWhiteSpace(SvixId)
        ? throw new ArgumentException("An svix id to filter by cannot be blank.", nameof(SvixId))
        : SvixId;

    public string? Reason { get; } = Reason is not null && string.IsNullOrWhiteSpace(Reason)
        ? throw new ArgumentException("A reason to filter by cannot be blank.", nameof(Reason))
        : Reason;

    public bool Matches(DeadLetter deadLetter) =>
        (SvixId is null || deadLetter.SvixId == SvixId)
        && (Reason is null || deadLetter.Reason?.Contains(Reason, StringComparison.Ordinal) == true);
}
