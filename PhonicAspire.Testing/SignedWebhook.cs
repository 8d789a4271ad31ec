using System.Net.Http.Headers;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Testing;

/// <summary>A delivery as Svix would send it: the exact body bytes, a fresh message id, signed ahead of sending.</summary>
public sealed record SignedWebhook(string SvixId, long Timestamp, byte[] Body, string Signature)
{
    public const string Route = "/webhooks/phonic";

    private static readonly WebhookSigningKeys FixedKeys = WebhookSigningKeys.Parse(WebhookSecrets.Fixed);

    /// <summary>Signed with <see cref="WebhookSecrets.Fixed"/>, the secret a stack runs with unless told otherwise.</summary>
    public static SignedWebhook Create(byte[] body, string? svixId = null, DateTimeOffset? at = null) =>
        Create(FixedKeys, body, svixId, at);

    public static SignedWebhook Create(WebhookSigningKeys keys, byte[] body, string? svixId = null, DateTimeOffset? at = null)
    {
        svixId ??= NewSvixId();
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return new SignedWebhook(svixId, timestamp, body, SvixSigner.Sign(keys, svixId, timestamp, body));
    }

    /// <summary>One of Phonic's sample payloads, its conversation id replaced so that tests do not share rows.</summary>
    public static SignedWebhook FromSample(string payloadFile, string conversationId, string? svixId = null) =>
        Create(SamplePayloads.WithConversationId(payloadFile, conversationId), svixId);

    public static string NewSvixId() => $"msg_{Guid.NewGuid():N}";

    public HttpRequestMessage ToRequest(string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Route) { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        SvixHeaders.Add(request.Headers, SvixId, Timestamp, Signature);
        return request;
    }
}
