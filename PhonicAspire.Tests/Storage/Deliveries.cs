using System.Text;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// Deliveries built from Phonic's sample payloads, edited at the byte level so that everything not rewritten
/// stays exactly as in the shared files.
/// </summary>
internal static class Deliveries
{
    public static readonly DateTimeOffset ReceivedAt = new(2025, 7, 14, 11, 36, 34, TimeSpan.Zero);

    public static byte[] Sample(string fileName, string conversationId) =>
        Replace(SamplePayloads.Read(fileName), SamplePayloads.SampleConversationId, conversationId);

    /// <summary>The sample with another envelope <c>created_at</c>.</summary>
    public static byte[] Sample(string fileName, string conversationId, string createdAt)
    {
        var body = Sample(fileName, conversationId);
        var original = SampleCreatedAt(body);
        return Replace(body, $"\"created_at\":\"{original}\"", $"\"created_at\":\"{createdAt}\"");
    }

    public static QueuedDelivery Delivery(byte[] body, string? eventType = null, string? svixId = null) =>
        new(svixId ?? SignedWebhook.NewSvixId(), eventType, ConversationId: null, ReceivedAt, body);

    public static byte[] Replace(byte[] body, string oldText, string newText)
    {
        var oldBytes = Encoding.UTF8.GetBytes(oldText);
        var index = body.AsSpan().IndexOf(oldBytes);
        Assert.True(index >= 0, $"The payload does not contain {oldText}.");
        return [.. body.AsSpan(0, index), .. Encoding.UTF8.GetBytes(newText), .. body.AsSpan(index + oldBytes.Length)];
    }

    private static string SampleCreatedAt(byte[] body)
    {
        var marker = "\"created_at\":\""u8;
        var start = body.AsSpan().IndexOf(marker) + marker.Length;
        var length = body.AsSpan(start).IndexOf((byte)'"');
        return Encoding.UTF8.GetString(body, start, length);
    }
}
