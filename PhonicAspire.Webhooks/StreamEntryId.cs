using System.Globalization;

namespace PhonicAspire.Webhooks;

/// <summary>A stream entry's id, <c>milliseconds-sequence</c>: when Redis appended the entry, and its order.</summary>
public readonly record struct StreamEntryId(long Milliseconds, long Sequence) : IComparable<StreamEntryId>
{
    public DateTimeOffset AppendedAt => DateTimeOffset.FromUnixTimeMilliseconds(Milliseconds);

    public static StreamEntryId Parse(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            ? new(long.Parse(id.AsSpan(0, dash), CultureInfo.InvariantCulture), long.Parse(id.AsSpan(dash + 1), CultureInfo.InvariantCulture))
            : throw new FormatException($"'{id}' is not a stream entry id.");
    }

    /// <summary>Redis's order of entries.</summary>
    public int CompareTo(StreamEntryId other) => (Milliseconds, Sequence).CompareTo((other.Milliseconds, other.Sequence));
}
