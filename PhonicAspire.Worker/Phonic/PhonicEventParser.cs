using System.Text.Json;
using System.Text.Unicode;
using PhonicAspire.Worker.Projections;

namespace PhonicAspire.Worker.Phonic;

/// <summary>
/// Turns a webhook body into a <see cref="PhonicEvent"/> without ever throwing: whatever cannot be understood is
/// described in <see cref="PhonicEvent.ParseError"/> so the delivery can still be kept.
/// </summary>
public static class PhonicEventParser
{
    // Deeper than anything Phonic sends, yet shallow enough for PostgreSQL's own parser.
    internal const int MaxDepth = 256;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

    /// <param name="body">The body exactly as received.</param>
    /// <param name="deliveredEventType">The event type the delivery was queued under, used when the body names none.</param>
    public static PhonicEvent Parse(ReadOnlyMemory<byte> body, string? deliveredEventType)
    {
        // The label is the body's event_type as the API read it, which may hold a NUL that text cannot.
        if (deliveredEventType?.Contains('\0') == true)
        {
            deliveredEventType = null;
        }

        var json = WithoutByteOrderMark(body);
        if (!Utf8.IsValid(json.Span))
        {
            return new PhonicEvent(deliveredEventType, null, null, null, "the body is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException exception)
        {
            return new PhonicEvent(deliveredEventType, null, null, null, $"the body is not JSON: {exception.Message}");
        }

        using (document)
        {
            return Interpret(document.RootElement, json, deliveredEventType);
        }
    }

    private static PhonicEvent Interpret(JsonElement root, ReadOnlyMemory<byte> json, string? deliveredEventType)
    {
        var jsonbProblem = JsonbCompatibility.FindProblem(json.Span);
        // The null typed: an untyped one would convert to the memory's type, an empty payload that is not null.
        var payload = jsonbProblem is null ? CredentialRedaction.RedactEndpointHeaders(json) : (ReadOnlyMemory<byte>?)null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new PhonicEvent(
                deliveredEventType, null, null, payload,
                jsonbProblem ?? $"the body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");
        }

        var eventType = root.PropertyOrUndefined("event_type"u8).StringOrNull() ?? deliveredEventType;
        var createdAt = root.PropertyOrUndefined("created_at"u8).TimestampOrNull();
        var data = root.PropertyOrUndefined("data"u8);
        var conversation = data.PropertyOrUndefined("conversation"u8);
        var conversationId = conversation.PropertyOrUndefined("id"u8).StringOrNull() is { Length: > 0 } id ? id : null;
        if (conversationId is not null && !LenientJson.FitsAnIndex(conversationId))
        {
            return new PhonicEvent(eventType, createdAt, null, payload, jsonbProblem
                ?? $"data.conversation.id is longer than the {LenientJson.MaxIndexedBytes} bytes the store indexes");
        }

        if (jsonbProblem is not null)
        {
            return new PhonicEvent(eventType, createdAt, conversationId, null, jsonbProblem);
        }

        if (ConversationProjections.Find(eventType) is not { } projection)
        {
            return new PhonicEvent(eventType, createdAt, conversationId, payload, null);
        }

        return conversationId is null
            ? new PhonicEvent(eventType, createdAt, null, payload, "data.conversation.id is missing or not a non-empty string")
            : new PhonicEvent(eventType, createdAt, conversationId, payload, null, projection.Read(data, conversation, conversationId));
    }

    private static ReadOnlyMemory<byte> WithoutByteOrderMark(ReadOnlyMemory<byte> body) =>
        body.Span.StartsWith("\uFEFF"u8) ? body[3..] : body;
}
