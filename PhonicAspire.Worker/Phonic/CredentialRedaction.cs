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
    /// <c>endpoint_headers</c> value but null, whole), byte for byte the same elsewhere; the same memory when there is
    /// nothing to redact (the common case costs two searches).
    /// </summary>
    public static ReadOnlyMemory<byte> RedactEndpointHeaders(ReadOnlyMemory<byte> json)
    {
        // The name can be spelled otherwise only with \u escapes, which every reader of the payload decodes.
        if (json.Span.IndexOf("\"endpoint_headers\""u8) < 0 && json.Span.IndexOf("\\u"u8) < 0)
        {
            return json;
        }

        var credentials = new List<Range>();
        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { MaxDepth = PhonicEventParser.MaxDepth });
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("endpoint_headers"u8) && reader.Read())
            {
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    FindCredentialValues(ref reader, credentials);
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    credentials.Add(ValueRange(ref reader));
                }
            }
        }

        return credentials.Count == 0 ? json : Replace(json.Span, credentials);
    }

    /// <summary>One <c>endpoint_headers</c> object's JSON with its credential values replaced; any other value but null, replaced whole.</summary>
    public static string RedactHeaderObject(string headersJson)
    {
        var json = System.Text.Encoding.UTF8.GetBytes(headersJson);
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
        FindCredentialValues(ref reader, credentials);
        return credentials.Count == 0 ? headersJson : System.Text.Encoding.UTF8.GetString(Replace(json, credentials).Span);
    }

    // At an object's start: the byte ranges of the values of its credential-named members, leaving the reader at its end.
    private static void FindCredentialValues(ref Utf8JsonReader reader, List<Range> credentials)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isCredential = IsCredentialName(NameOf(ref reader));
            reader.Read();
            var isNull = reader.TokenType == JsonTokenType.Null;
            var value = ValueRange(ref reader);
            if (isCredential && !isNull)
            {
                credentials.Add(value);
            }
        }
    }

    // At a value's first token: its byte range, leaving the reader at its last.
    private static Range ValueRange(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        return start..(int)reader.BytesConsumed;
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
            return System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
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
