using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PhonicAspire.WebhookApi.Receiving;
using PhonicAspire.Webhooks.Samples;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.WebhookApi.Development;

/// <summary>Signs a sample event as Svix would and posts it to this API's own webhook route.</summary>
public sealed class TestWebhookSender(HttpClient httpClient, IServer server, WebhookSigningKeys keys, TimeProvider timeProvider)
{
    public async Task<TestWebhookSent> SendAsync(string eventType, CancellationToken cancellationToken)
    {
        var sample = SignedSample.Create(eventType, keys, timeProvider.GetUtcNow(), "msg_test_");
        using var request = sample.ToRequest(new Uri(OwnAddress(), PhonicWebhookEndpoints.Route));
        using var response = await httpClient.SendAsync(request, cancellationToken);
        return new TestWebhookSent(sample.SvixId, eventType, sample.ConversationId, (int)response.StatusCode, response.IsSuccessStatusCode);
    }

    private Uri OwnAddress()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no address to post the test webhook to.");
        return new Uri(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://[::]", "://localhost", StringComparison.Ordinal));
    }
}
