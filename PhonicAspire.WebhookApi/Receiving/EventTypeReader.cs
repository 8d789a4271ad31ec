using System.Text.Json;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// Finds the top-level <c>event_type</c> of a delivery without building a document: it is only a label for logs,
/// metrics and the stream entry, so a body that is not JSON simply has none.
/// </summary>
public static class EventTypeReader
{
    private static ReadOnlySpan<byte> EventTypeProperty => "event_type"u8;

    public static string? Read(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isEventType = reader.ValueTextEquals(EventTypeProperty);
                reader.Read();
                if (isEventType)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
