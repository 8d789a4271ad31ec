using System.Net.Http.Headers;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>A delivery as Svix would send it: the exact body bytes, a fresh message id, signed with the test secret.</summary>
public sealed record SignedWebhook(string SvixId, long Timestamp, byte[] Body, string Signature)
{
    public const string Route = "/webhooks/phonic";

    private static readonly WebhookSigningKeys Keys = WebhookSigningKeys.Parse(PhonicStackFixture.WebhookSecret);

    public static SignedWebhook Create(byte[] body, string? svixId = null, DateTimeOffset? at = null)
    {
        svixId ??= NewSvixId();
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return new SignedWebhook(svixId, timestamp, body, SvixSigner.Sign(Keys, svixId, timestamp, body));
    }

    /// <summary>One of Phonic's sample payloads, its conversation id replaced so that tests do not share rows.</summary>
    public static SignedWebhook FromSample(string payloadFile, string conversationId, string? svixId = null) =>
        Create(SamplePayloads.WithConversationId(payloadFile, conversationId), svixId);

    public static string NewSvixId() => $"msg_{Guid.NewGuid():N}";

    public HttpRequestMessage ToRequest(string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Route) { Content = new ByteArrayContent(Body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add(SvixHeaders.Id, SvixId);
        request.Headers.Add(SvixHeaders.Timestamp, Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(SvixHeaders.Signature, Signature);
        return request;
    }
}
