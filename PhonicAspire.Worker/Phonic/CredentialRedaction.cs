using System.Text;
using System.Text.Json;

namespace PhonicAspire.Worker.Phonic;

/// <summary>
/// Phonic's tool calls carry the headers their endpoints were called with (<c>endpoint_headers</c>), which can hold
/// credentials (<c>Authorization: Bearer …</c> in Phonic's own examples). The queryable copies of a payload keep each
/// header's name and say <see cref="Redacted"/> for a credential's value, or for the whole value when it is not an
/// object (then it has no names to tell credentials by); the raw body is stored as received.
/// </summary>
public static class CredentialRedaction
{
    public const string Redacted = "[redacted]";

    private const string RedactedText = $"\"{Redacted}\"";
    private static readonly byte[] RedactedJson = Encoding.UTF8.GetBytes(RedactedText);
    private static readonly string[] CredentialNameParts = ["authorization", "cookie", "token", "key", "secret", "password"];

    /// <summary>Authorization, cookies, and any name containing token, key, secret or password (case-insensitive).</summary>
    public static bool IsCredentialName(string headerName) =>
        CredentialNameParts.Any(part => headerName.Contains(part, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The JSON with the credential values of every <c>endpoint_headers</c> object replaced (and every other
    /// <c>endpoint_headers</c> value but null, whole), byte for byte the same elsewhere; an <c>endpoint_headers</c>
    /// inside another's value goes or stays with that value. The same memory when there is nothing to redact (a body
    /// with neither the name nor a <c>\u</c> escape costs two searches).
    /// </summary>
    /// <param name="json">UTF-8 JSON that <see cref="JsonDocument"/> has already accepted.</param>
    public static ReadOnlyMemory<byte> RedactEndpointHeaders(ReadOnlyMemory<byte> json)
    {
        var span = json.Span;
        // The name can be spelled otherwise only with \u escapes, which every reader of the payload decodes.
        if (span.IndexOf(QuotedName) < 0 && span.IndexOf("\\u"u8) < 0)
        {
            return json;
        }

        var credentials = QuotesAreAllDelimiters(span) ? FindByName(span) : FindByReading(span);
        return credentials.Count == 0 ? json : Replace(span, credentials);
    }

    private static ReadOnlySpan<byte> QuotedName => "\"endpoint_headers\""u8;

    // Whether every quote in the body opens or closes a string and names are spelled as they read: no escaped quote and
    // no \u escape. Each backslash is taken with the character it escapes, so an escaped backslash before a quote
    // leaves that quote a delimiter. The escapes of Phonic's ended sample are line breaks.
    private static bool QuotesAreAllDelimiters(ReadOnlySpan<byte> json)
    {
        var rest = json;
        while (rest.IndexOf((byte)'\\') is var at and >= 0)
        {
            if (at + 1 < rest.Length && rest[at + 1] is (byte)'"' or (byte)'u')
            {
                return false;
            }

            rest = rest[Math.Min(at + 2, rest.Length)..];
        }

        return true;
    }

    // Every token read: what a body with escaped quotes or names needs.
    private static List<Range> FindByReading(ReadOnlySpan<byte> json)
    {
        var credentials = new List<Range>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = PhonicEventParser.MaxDepth });
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("endpoint_headers"u8) && reader.Read())
            {
                FindInValue(ref reader, 0, credentials);
            }
        }

        return credentials;
    }

    // When every quote opens or closes a string, each "endpoint_headers" found in valid JSON is a whole string, and a
    // name when a colon follows it; only its value is read. What lies inside that value is passed over, as reading
    // every token passes over it.
    private static List<Range> FindByName(ReadOnlySpan<byte> json)
    {
        var credentials = new List<Range>();
        var searchFrom = 0;
        while (IndexFrom(json, QuotedName, searchFrom) is var name and >= 0)
        {
            var afterName = SkipWhitespace(json, name + QuotedName.Length);
            if (afterName == json.Length || json[afterName] != (byte)':')
            {
                // A string value, not a name.
                searchFrom = afterName;
                continue;
            }

            var valueStart = SkipWhitespace(json, afterName + 1);
            var reader = new Utf8JsonReader(json[valueStart..], new JsonReaderOptions { MaxDepth = PhonicEventParser.MaxDepth });
            reader.Read();
            FindInValue(ref reader, valueStart, credentials);
            searchFrom = valueStart + (int)reader.BytesConsumed;
        }

        return credentials;
    }

    private static int IndexFrom(ReadOnlySpan<byte> json, ReadOnlySpan<byte> value, int start) =>
        json[start..].IndexOf(value) is var found and >= 0 ? start + found : -1;

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int start) =>
        json[start..].IndexOfAnyExcept(" \t\r\n"u8) is var found and >= 0 ? start + found : json.Length;

    // At an endpoint_headers value's first token (read from offset in the body): the ranges to redact, leaving the reader at its last.
    private static void FindInValue(ref Utf8JsonReader reader, int offset, List<Range> credentials)
    {
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            FindCredentialValues(ref reader, offset, credentials);
        }
        else if (reader.TokenType != JsonTokenType.Null)
        {
            credentials.Add(ValueRange(ref reader, offset));
        }
    }

    /// <summary>One <c>endpoint_headers</c> object's JSON with its credential values replaced; any other value but null, replaced whole.</summary>
    public static string RedactHeaderObject(string headersJson)
    {
        var json = Encoding.UTF8.GetBytes(headersJson);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = PhonicEventParser.MaxDepth });
        if (!reader.Read() || reader.TokenType == JsonTokenType.Null)
        {
            return headersJson;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return RedactedText;
        }

        var credentials = new List<Range>();
        FindCredentialValues(ref reader, 0, credentials);
        return credentials.Count == 0 ? headersJson : Encoding.UTF8.GetString(Replace(json, credentials).Span);
    }

    // At an object's start: the byte ranges of the values of its credential-named members, leaving the reader at its end.
    private static void FindCredentialValues(ref Utf8JsonReader reader, int offset, List<Range> credentials)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isCredential = IsCredentialName(NameOf(ref reader));
            reader.Read();
            var isNull = reader.TokenType == JsonTokenType.Null;
            var value = ValueRange(ref reader, offset);
            if (isCredential && !isNull)
            {
                credentials.Add(value);
            }
        }
    }

    // At a value's first token: its byte range in the body, which the reader began reading at offset, leaving the reader at its last.
    private static Range ValueRange(ref Utf8JsonReader reader, int offset)
    {
        var start = offset + (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(offset + (int)reader.BytesConsumed);
    }

    // A name that is no valid string (an escaped lone surrogate) is judged by its raw text.
    private static string NameOf(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    private static ReadOnlyMemory<byte> Replace(ReadOnlySpan<byte> json, List<Range> credentials)
    {
        var redacted = new List<byte>(json.Length);
        var copied = 0;
        foreach (var credential in credentials)
        {
            var (offset, length) = credential.GetOffsetAndLength(json.Length);
            redacted.AddRange(json[copied..offset]);
            redacted.AddRange(RedactedJson);
            copied = offset + length;
        }

        redacted.AddRange(json[copied..]);
        return redacted.ToArray();
    }
}
