using System.Text.Json;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// The top-level <c>event_type</c> and <c>data.conversation.id</c> of a delivery, read without building a
/// document. They label the logs, the request's span and the stream entry, and forwarding filters on the event type;
/// a body that is not JSON (or not shaped like Phonic's) has none, or those read before it went wrong.
/// </summary>
/// <remarks>
/// Reading stops once both are known: Phonic puts the event type first and the conversation's id first in it, and
/// reading on through the rest of a 2.6 kB body was about 8% of the API's CPU in a <c>perf</c> profile of
/// <c>scripts/bench --only ingest</c>. The event type is the last string given before <c>data</c>, as the worker's
/// parse (which takes a name's last value) stores it unless another follows <c>data</c>. Of the conversation's ids the
/// first string counts, where the worker's parse takes the last: only the label of such a body would differ.
/// </remarks>
public readonly record struct DeliveryLabels(string? EventType, string? ConversationId)
{
    private const int MaxDepth = 64;

    public static DeliveryLabels Read(ReadOnlySpan<byte> body)
    {
        string? eventType = null, conversationId = null;
        var dataRead = false;
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (!(dataRead && eventType is not null) && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (NameIs(ref reader, "event_type"u8))
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
                else if (!dataRead && NameIs(ref reader, "data"u8))
                {
                    reader.Read();
                    dataRead = true;
                    conversationId = ReadConversationId(ref reader, stopAtId: eventType is not null);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
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

    // A name written with an escaped lone surrogate ("\ud83d") is valid JSON but no valid text, and the reader throws
    // when asked to compare it: such a name is none of those wanted, and the reading goes on past it.
    private static bool NameIs(ref Utf8JsonReader reader, ReadOnlySpan<byte> name)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.ValueSpan.SequenceEqual(name);
        }

        try
        {
            return reader.ValueTextEquals(name);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // At the value of "data": finds the first string id of its conversation object. The reader is left after
    // the data object, or wherever the id was found when nothing else is still wanted.
    private static string? ReadConversationId(ref Utf8JsonReader reader, bool stopAtId)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        var (found, conversationId) = (false, default(string));
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isConversation = !found && NameIs(ref reader, "conversation"u8);
            reader.Read();
            if (!isConversation || reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = !found && NameIs(ref reader, "id"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    (found, conversationId) = (true, ReadLabel(ref reader));
                    if (stopAtId)
                    {
                        return conversationId;
                    }
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
