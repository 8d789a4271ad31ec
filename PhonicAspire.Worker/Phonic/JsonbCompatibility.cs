using System.Buffers.Text;
using System.Text.Json;

namespace PhonicAspire.Worker.Phonic;

/// <summary>
/// Finds what makes valid JSON unacceptable to PostgreSQL's jsonb, which would otherwise fail the whole batch: the
/// escape <c>\u0000</c>, escapes of unpaired surrogates, and numbers beyond the range of <c>numeric</c>.
/// </summary>
internal static class JsonbCompatibility
{
    // numeric keeps at most 131072 digits before the point and 16383 after it. Digits before the point are bounded
    // crudely, by the number's length and its exponent, far inside numeric's limit. Digits after the point are counted
    // as PostgreSQL counts them, the fraction's digits less the exponent: "0.000…1e-10000" has short enough digits and
    // exponent each, yet 20,000 digits after the point, and fails the whole COPY.
    private const int LargestStorableExponent = 16_000;
    private const int LongestStorableNumber = 16_000;
    private const int MostDigitsAfterThePoint = 16_383;

    /// <summary>The reason <paramref name="json"/> cannot be stored as jsonb, or null when it can.</summary>
    /// <param name="json">UTF-8 JSON that <see cref="JsonDocument"/> has already accepted.</param>
    public static string? FindProblem(ReadOnlySpan<byte> json) => MayHoldProblem(json) ? FindProblemByReading(json) : null;

    // What can be a problem: a \u escape (a NUL or an unpaired surrogate can be written no other way in valid JSON), a
    // number with an exponent, or, in a body longer than the longest storable number, a number too long. Looking for
    // those is cheaper than reading every token, and Phonic's ended sample has none: its escapes are line breaks,
    // and the e's after digits are inside their ids (UUIDs), which the letter or quote before the digits tells
    // apart from a number. A body this sends to the read when it has none is only read. With this and the redaction's
    // search for its name (CredentialRedaction), the worker's whole parse of Phonic's ended sample took 17.0-17.4 us
    // against 21.8-22.2 us reading every token twice (best of 15 rounds of 20,000, three runs each, the worker's
    // runtime settings).
    private static bool MayHoldProblem(ReadOnlySpan<byte> json)
    {
        if (json.Length > LongestStorableNumber || json.IndexOf("\\u"u8) >= 0)
        {
            return true;
        }

        var from = 0;
        while (json[from..].IndexOfAny((byte)'e', (byte)'E') is var found and >= 0)
        {
            if (MayBeNumber(json, from + found))
            {
                return true;
            }

            from += found + 1;
        }

        return false;
    }

    // Whether the e at this index may be a number's exponent: a number has a digit before its e, and the digits, points
    // and minus before that start it right after a colon, a comma, a bracket or white space.
    private static bool MayBeNumber(ReadOnlySpan<byte> json, int exponentAt)
    {
        var start = json[..exponentAt].LastIndexOfAnyExcept("0123456789.-"u8) + 1;
        return start < exponentAt && (start == 0 || json[start - 1] is (byte)':' or (byte)',' or (byte)'[' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n');
    }

    private static string? FindProblemByReading(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = PhonicEventParser.MaxDepth });
        while (reader.Read())
        {
            var problem = reader.TokenType switch
            {
                JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped => EscapedStringProblem(ref reader),
                JsonTokenType.Number => NumberProblem(reader.ValueSpan),
                _ => null,
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }

    private static string? EscapedStringProblem(ref Utf8JsonReader reader)
    {
        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return "the body escapes an unpaired UTF-16 surrogate, which PostgreSQL jsonb rejects";
        }

        return text.Contains('\0') ? "the body contains \\u0000, which PostgreSQL jsonb cannot store" : null;
    }

    private static string? NumberProblem(ReadOnlySpan<byte> number)
    {
        if (number.Length > LongestStorableNumber)
        {
            return "the body holds a number too long for PostgreSQL numeric";
        }

        var exponentStart = number.IndexOfAny("eE"u8);
        if (exponentStart < 0)
        {
            // Without an exponent its digits after the point are fewer than its length, within numeric's limit.
            return null;
        }

        var exponentText = number[(exponentStart + 1)..];
        if (exponentText.Length > 0 && exponentText[0] == '+')
        {
            exponentText = exponentText[1..];
        }

        // A range test rather than Math.Abs, which throws for int.MinValue ("1e-2147483648" is valid JSON).
        if (!Utf8Parser.TryParse(exponentText, out int exponent, out _) || exponent is < -LargestStorableExponent or > LargestStorableExponent)
        {
            return "the body holds a number beyond the range of PostgreSQL numeric";
        }

        var point = number[..exponentStart].IndexOf((byte)'.');
        var fractionDigits = point < 0 ? 0 : exponentStart - point - 1;
        return fractionDigits - exponent > MostDigitsAfterThePoint
            ? "the body holds a number with more digits after the point than PostgreSQL numeric keeps"
            : null;
    }
}
