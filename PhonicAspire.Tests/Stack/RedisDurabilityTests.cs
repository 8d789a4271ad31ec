using System.Net;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Tests.Stack;

/// <summary>The API reads Redis's settings while it runs and refuses to acknowledge on a Redis that could lose what it acknowledges.</summary>
[Collection(StackCollection.Name)]
public sealed class RedisDurabilityTests(PhonicStackFixture stack)
{
    private static readonly TimeSpan NoticeTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_redis_reconfigured_to_fsync_every_second_gets_503_and_an_unhealthy_api_until_it_fsyncs_every_write_again()
    {
        using var client = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());

        await stack.Redis.ExecuteAsync("CONFIG", "SET", "appendfsync", "everysec");
        try
        {
            var health = await HealthEndpoint.WaitUntilAsync(client, answer => answer.Status == HttpStatusCode.ServiceUnavailable,
                NoticeTimeout, "the API's /health to turn unhealthy");
            Assert.Contains("appendfsync is 'everysec'", health.Body, StringComparison.Ordinal);

            using var refused = await client.SendAsync(webhook.ToRequest());
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "queue-not-durable");
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.False(await stack.Redis.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));
        }
        finally
        {
            await stack.Redis.ExecuteAsync("CONFIG", "SET", "appendfsync", "always");
            await HealthEndpoint.WaitUntilAsync(client, answer => answer.Status == HttpStatusCode.OK,
                NoticeTimeout, "the API's /health to be healthy again");
        }

        // Svix's retry of the refused delivery is acknowledged and stored.
        using var accepted = await client.SendAsync(SignedWebhook.Create(webhook.Body, webhook.SvixId).ToRequest());
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        await stack.WaitUntilHealthyAsync("webhookapi");
    }
}
