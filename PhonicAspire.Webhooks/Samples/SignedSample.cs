using System.Net.Http.Headers;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Webhooks.Samples;

/// <summary>One of Phonic's sample events, made new and signed exactly as Svix would sign it, ready to POST anywhere.</summary>
public sealed record SignedSample(string SvixId, string EventType, string ConversationId, long Timestamp, byte[] Body, string Signature)
{
    /// <param name="svixIdPrefix">Marks where the sample came from (<c>msg_test_</c> for the dashboard, <c>msg_cli_</c> for the command line).</param>
    public static SignedSample Create(string eventType, WebhookSigningKeys keys, DateTimeOffset now, string svixIdPrefix)
    {
        var (conversationId, body) = SampleEvents.Create(eventType, now);
        var svixId = $"{svixIdPrefix}{Guid.NewGuid():N}";
        var timestamp = now.ToUnixTimeSeconds();
        return new SignedSample(svixId, eventType, conversationId, timestamp, body, SvixSigner.Sign(keys, svixId, timestamp, body));
    }

    public HttpRequestMessage ToRequest(Uri url)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        SvixHeaders.Add(request.Headers, SvixId, Timestamp, Signature);
        return request;
    }
}
