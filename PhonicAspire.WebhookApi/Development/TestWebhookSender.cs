using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PhonicAspire.WebhookApi.Receiving;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.WebhookApi.Development;

/// <summary>Signs a sample event as Svix would and posts it to this API's own webhook route.</summary>
public sealed class TestWebhookSender(HttpClient httpClient, IServer server, WebhookSigningKeys keys, TimeProvider timeProvider)
{
    public async Task<TestWebhookSent> SendAsync(string eventType, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var (conversationId, body) = SampleEvents.Create(eventType, now);
        var svixId = $"msg_test_{Guid.NewGuid():N}";
        var timestamp = now.ToUnixTimeSeconds();

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(OwnAddress(), PhonicWebhookEndpoints.Route))
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Add(SvixHeaders.Id, svixId);
        request.Headers.Add(SvixHeaders.Timestamp, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(SvixHeaders.Signature, SvixSigner.Sign(keys, svixId, timestamp, body));

        using var response = await httpClient.SendAsync(request, cancellationToken);
        return new TestWebhookSent(svixId, eventType, conversationId, (int)response.StatusCode, response.IsSuccessStatusCode);
    }

    private Uri OwnAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no address to post the test webhook to.");
        return new Uri(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal));
    }
}

public sealed record TestWebhookSent(string SvixId, string EventType, string ConversationId, int Status, bool Accepted);
