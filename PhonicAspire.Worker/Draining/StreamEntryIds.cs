using System.Globalization;

namespace PhonicAspire.Worker.Draining;

/// <summary>Stream entry ids the drain loop starts from.</summary>
public static class StreamEntryIds
{
    /// <summary>Before every entry: where a scan of the stream or its pending entries starts, and ends.</summary>
    public const string Start = "0-0";

    /// <summary>
    /// The greatest id below <paramref name="id"/> (<c>ms-seq</c>, each part an unsigned 64-bit number), where a
    /// consumer group is set so that its next read starts at <paramref name="id"/>.
    /// </summary>
    public static string Before(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        var milliseconds = ulong.Parse(id.AsSpan(0, dash), CultureInfo.InvariantCulture);
        var sequence = ulong.Parse(id.AsSpan(dash + 1), CultureInfo.InvariantCulture);
        return sequence > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{milliseconds}-{sequence - 1}")
            : string.Create(CultureInfo.InvariantCulture, $"{milliseconds - 1}-{ulong.MaxValue}");
    }
}
