using System.Buffers.Text;
using System.Text.Json;

namespace PhonicAspire.Worker.Phonic;

/// <summary>
/// Finds what makes valid JSON unacceptable to PostgreSQL's jsonb, which would otherwise fail the whole batch: the
/// escape <c>\u0000</c>, escapes of unpaired surrogates, and numbers beyond the range of <c>numeric</c>.
/// </summary>
internal static class JsonbCompatibility
{
    // numeric keeps at most 131072 digits before and 16383 after the decimal point; numbers near either limit
    // are not data anyone sends, so a cruder bound keeps the check simple.
    private const int LargestStorableExponent = 16_000;
    private const int LongestStorableNumber = 16_000;

    /// <summary>The reason <paramref name="json"/> cannot be stored as jsonb, or null when it can.</summary>
    /// <param name="json">UTF-8 JSON that <see cref="JsonDocument"/> has already accepted.</param>
    public static string? FindProblem(ReadOnlySpan<byte> json)
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
            return null;
        }

        var exponent = number[(exponentStart + 1)..];
        if (exponent.Length > 0 && exponent[0] == '+')
        {
            exponent = exponent[1..];
        }

        // A range test rather than Math.Abs, which throws for int.MinValue ("1e-2147483648" is valid JSON).
        return !Utf8Parser.TryParse(exponent, out int value, out _) || value is < -LargestStorableExponent or > LargestStorableExponent
            ? "the body holds a number beyond the range of PostgreSQL numeric"
            : null;
    }
}
