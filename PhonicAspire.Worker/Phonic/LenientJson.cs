using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace PhonicAspire.Worker.Phonic;

/// <summary>
/// Reads a JSON value as the type a column expects, or null when it has another type: Phonic's schema drifts, and
/// one odd field must not cost the whole event.
/// </summary>
internal static class LenientJson
{
    // Below a btree entry's 2,704 bytes whether or not the value compresses, and far above any id Phonic sends.
    public const int MaxIndexedBytes = 2_000;

    // PostgreSQL text cannot hold U+0000, and an escaped unpaired surrogate cannot even be decoded, so such
    // strings are as unusable as values of the wrong type.
    public static string? StringOrNull(this JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            var text = element.GetString()!;
            return text.Contains('\0') ? null : text;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// A string for a column PostgreSQL indexes (a conversation's id, an agent's id, a tool's name): one longer than
    /// <see cref="MaxIndexedBytes"/> is as unusable, since an index entry of more than about 2.7 KB after compression
    /// is refused (SQLSTATE 54000) and the delivery with it.
    /// </summary>
    public static string? IndexableStringOrNull(this JsonElement element) =>
        element.StringOrNull() is { } text && FitsAnIndex(text) ? text : null;

    public static bool FitsAnIndex(string text) => Encoding.UTF8.GetByteCount(text) <= MaxIndexedBytes;

    public static double? DoubleOrNull(this JsonElement element) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : null;

    // Integral doubles such as 7000.0 are accepted too: some serializers write every number with a fraction.
    public static int? Int32OrNull(this JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Number)
        {
            return null;
        }

        if (element.TryGetInt32(out var integer))
        {
            return integer;
        }

        return element.TryGetDouble(out var number) && number == Math.Floor(number) && number is >= int.MinValue and <= int.MaxValue
            ? (int)number
            : null;
    }

    public static bool? BooleanOrNull(this JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    // A timestamp without an offset is taken as UTC, the zone Phonic documents for all of them.
    public static DateTimeOffset? TimestampOrNull(this JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String || !element.TryGetDateTime(out var timestamp))
        {
            return null;
        }

        var utc = timestamp.Kind switch
        {
            DateTimeKind.Unspecified => DateTime.SpecifyKind(timestamp, DateTimeKind.Utc),
            DateTimeKind.Local => timestamp.ToUniversalTime(),
            _ => timestamp,
        };
        return new DateTimeOffset(utc);
    }

    public static string[]? StringArrayOrNull(this JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var strings = new List<string>(element.GetArrayLength());
        foreach (var entry in element.EnumerateArray())
        {
            if (entry.StringOrNull() is { } text)
            {
                strings.Add(text);
            }
        }

        return [.. strings];
    }

    public static double?[]? DoubleArrayOrNull(this JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var numbers = new double?[element.GetArrayLength()];
        var index = 0;
        foreach (var entry in element.EnumerateArray())
        {
            numbers[index++] = entry.DoubleOrNull();
        }

        return numbers;
    }

    /// <summary>The value's JSON text, or null when it is absent or JSON null.</summary>
    public static string? RawJsonOrNull(this JsonElement element) =>
        element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : element.GetRawText();

    /// <summary>
    /// The member's name, decoded into <paramref name="buffer"/> when it is written without escapes and fits, as
    /// Phonic writes its names, and otherwise unescaped into a string of its own: a pass over an object's members
    /// switching on their names then allocates none of them (<see cref="JsonProperty.Name"/> allocates every one).
    /// </summary>
    public static ReadOnlySpan<char> NameInto(this JsonProperty property, Span<char> buffer)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return !raw.Contains((byte)'\\') && Encoding.UTF8.TryGetChars(raw, buffer, out var written) ? buffer[..written] : property.Name;
    }

    // Looking a name up decodes the escaped names it passes, which throws on an escaped unpaired surrogate.
    public static JsonElement PropertyOrUndefined(this JsonElement element, ReadOnlySpan<byte> utf8Name)
    {
        try
        {
            return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(utf8Name, out var value) ? value : default;
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }
}
