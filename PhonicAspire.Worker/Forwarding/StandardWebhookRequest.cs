using System.Net.Http.Headers;
using PhonicAspire.Webhooks;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Worker.Forwarding;

/// <summary>
/// A forward as the Standard Webhooks scheme has it, so the receiving service verifies it with any Standard Webhooks
/// or Svix library: <c>webhook-id</c>, <c>webhook-timestamp</c> and <c>webhook-signature</c> over the body exactly
/// as Phonic sent it, signed with every configured secret, so that destinations can move to a new one one at a time.
/// </summary>
public static class StandardWebhookRequest
{
    /// <param name="timestamp">The attempt's own time: each retry is signed anew, so it stays inside verifiers' tolerance.</param>
    public static HttpRequestMessage Create(Uri url, QueuedDelivery delivery, WebhookSigningKeys keys, DateTimeOffset timestamp)
    {
        // Phonic's svix id: one per event, the same on every retry and redelivery, so receivers can deduplicate.
        var messageId = delivery.SvixId;
        var seconds = timestamp.ToUnixTimeSeconds();
        var content = new ReadOnlyMemoryContent(delivery.Body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        SvixHeaders.AddStandard(request.Headers, messageId, seconds, SvixSigner.SignWithEach(keys, messageId, seconds, delivery.Body.Span));
        return request;
    }
}
