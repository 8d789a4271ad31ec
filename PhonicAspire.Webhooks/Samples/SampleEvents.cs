using System.Text.Json.Nodes;

namespace PhonicAspire.Webhooks.Samples;

/// <summary>
/// Phonic's sample events, each made new: a fresh conversation id and the current time. The dashboard's "Send test
/// webhook" and the command line's <c>send</c> both build theirs here.
/// </summary>
public static class SampleEvents
{
    public const string DefaultEventType = PhonicEventTypes.ConversationEnded;

    public static (string ConversationId, byte[] Body) Create(string eventType, DateTimeOffset now)
    {
        var resource = $"Samples.{eventType.Replace('.', '-')}.json";
        using var template = typeof(SampleEvents).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The sample {resource} is not embedded.");

        var conversationId = $"conv_{Guid.NewGuid()}";
        var payload = JsonNode.Parse(template)!.AsObject();
        payload["created_at"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        payload["data"]!["conversation"]!["id"] = conversationId;
        return (conversationId, System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString()));
    }
}
