using System.Globalization;

namespace PhonicAspire.Worker.Draining;

/// <summary>What a stream entry's id says by itself.</summary>
public static class StreamEntryIds
{
    /// <summary>Before every entry: where a scan of the stream or its pending entries starts, and ends.</summary>
    public const string Start = "0-0";

    /// <summary>When Redis appended the entry: an id starts with those unix milliseconds.</summary>
    public static DateTimeOffset AppendedAt(string entryId) =>
        DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(entryId.AsSpan(0, entryId.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture));
}
