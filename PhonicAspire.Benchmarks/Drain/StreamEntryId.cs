using System.Globalization;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.Drain;

/// <summary>A stream entry id (<c>milliseconds-sequence</c>), ordered as Redis orders entries.</summary>
public readonly record struct StreamEntryId(long Milliseconds, long Sequence) : IComparable<StreamEntryId>
{
    public static StreamEntryId Parse(RedisValue id)
    {
        var text = id.ToString();
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            ? new(long.Parse(text.AsSpan(0, dash), CultureInfo.InvariantCulture), long.Parse(text.AsSpan(dash + 1), CultureInfo.InvariantCulture))
            : throw new FormatException($"'{text}' is not a stream entry id.");
    }

    public int CompareTo(StreamEntryId other) => (Milliseconds, Sequence).CompareTo((other.Milliseconds, other.Sequence));
}
