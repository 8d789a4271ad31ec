using System.Text.Json;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// The top-level <c>event_type</c> and <c>data.conversation.id</c> of a delivery, read without building a
/// document. They only label logs, spans, metrics and the stream entry, so a body that is not JSON (or not shaped
/// like Phonic's) simply has none.
/// </summary>
public readonly record struct DeliveryLabels(string? EventType, string? ConversationId)
{
    private const int MaxDepth = 64;

    public static DeliveryLabels Read(ReadOnlySpan<byte> body)
    {
        string? eventType = null, conversationId = null;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("event_type"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        eventType = ReadLabel(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    conversationId = ReadConversationId(ref reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }

                if (eventType is not null && conversationId is not null)
                {
                    break;
                }
            }
        }
        catch (JsonException)
        {
        }

        return new DeliveryLabels(eventType, conversationId);
    }

    // An escaped lone surrogate ("\ud800") is valid JSON but no valid string: such a label is left out, and the
    // delivery is kept like any other.
    private static string? ReadLabel(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    // At the value of "data": finds conversation.id, leaving the reader after the data object.
    private static string? ReadConversationId(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? conversationId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isConversation = reader.ValueTextEquals("conversation"u8);
            reader.Read();
            if (!isConversation || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    conversationId = ReadLabel(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return conversationId;
    }
}
