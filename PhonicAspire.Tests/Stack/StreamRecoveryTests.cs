using System.Net;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Tests.Stack;

/// <summary>What the worker does when Redis or PostgreSQL lose something or go away for a while.</summary>
[Collection(StackCollection.Name)]
public sealed class StreamRecoveryTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task A_lost_consumer_group_is_created_again_and_deliveries_are_stored()
    {
        using var client = stack.CreateApiClient();
        await stack.Redis.ExecuteAsync("XGROUP", "DESTROY", WebhookStream.Name, WebhookStream.ConsumerGroup);

        var webhook = SignedWebhook.FromSample(SamplePayloads.Transferred, SamplePayloads.NewConversationId());
        using (var response = await client.SendAsync(webhook.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        var groups = await stack.Redis.StreamGroupInfoAsync(WebhookStream.Name);
        Assert.Contains(groups, group => group.Name == WebhookStream.ConsumerGroup);
    }

    [Fact]
    public async Task The_worker_is_unhealthy_while_postgres_is_down_and_stores_what_waited_once_it_is_back()
    {
        using var api = stack.CreateApiClient();
        using var worker = stack.CreateWorkerClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());

        await using (await stack.StopAsync("postgres"))
        {
            using (var response = await api.SendAsync(webhook.ToRequest()))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            var health = await HealthEndpoint.WaitUntilAsync(
                worker,
                answer => answer.Body.Contains("storage: Unhealthy", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
                "the worker's /health to report its storage unhealthy");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Status);
            Assert.Contains("PostgreSQL cannot store webhooks", health.Body, StringComparison.Ordinal);
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        await HealthEndpoint.WaitUntilAsync(
            worker, answer => answer.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the worker's /health to be healthy again");
        await stack.WaitUntilHealthyAsync("worker");
    }

    [Fact]
    public async Task Raw_body_is_stored_byte_for_byte_as_the_api_received_it()
    {
        using var client = stack.CreateApiClient();

        // A byte order mark, CRLFs and tabs, escapes and raw UTF-8, a duplicate key and trailing spaces: all of
        // which a parse-and-serialize round trip would change.
        byte[] body =
        [
            0xEF, 0xBB, 0xBF,
            .. "{\r\n\t\"event_type\" : \"conversation.analysis\",\"x\":\"caf\\u00e9 caf\u00e9 \\ud83d\\ude00\",\r\n\"x\":1.50e+01 ,\"data\":{}}   "u8,
        ];
        var webhook = SignedWebhook.Create(body);
        using (var response = await client.SendAsync(webhook.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId);
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT raw_body FROM webhook_events WHERE svix_id = $1", connection)
        {
            Parameters = { new() { Value = webhook.SvixId } },
        };
        Assert.Equal(body, (byte[])(await command.ExecuteScalarAsync())!);
    }
}
