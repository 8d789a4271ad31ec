using System.Globalization;
using System.Net;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Tests.Stack;

/// <summary>Redis as the AppHost runs it locally, and what the API does when it is full.</summary>
[Collection(StackCollection.Name)]
public sealed class RedisFullTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task The_local_redis_fsyncs_every_write_never_evicts_and_has_the_configured_maxmemory()
    {
        Assert.Equal("yes", await ConfigGetAsync("appendonly"));
        Assert.Equal("always", await ConfigGetAsync("appendfsync"));
        Assert.Equal("noeviction", await ConfigGetAsync("maxmemory-policy"));
        Assert.Equal((1L << 30).ToString(CultureInfo.InvariantCulture), await ConfigGetAsync("maxmemory"));
    }

    [Fact]
    public async Task The_local_redis_rewrites_its_append_only_file_only_once_it_has_grown_past_512_mb()
    {
        Assert.Equal((512L << 20).ToString(CultureInfo.InvariantCulture), await ConfigGetAsync("auto-aof-rewrite-min-size"));
    }

    [Fact]
    public async Task The_local_redis_takes_no_snapshots_beside_its_append_only_file()
    {
        // Each snapshot forks Redis and writes all it holds to the disk its fsyncs wait on, and a stop waits for one
        // more; the append-only file alone is what a restart loads.
        Assert.Equal(string.Empty, await ConfigGetAsync("save"));
    }

    [Fact]
    public async Task A_full_redis_gets_a_prompt_503_and_an_unhealthy_api_healthy_again_once_redis_has_room_before_any_delivery_reaches_it()
    {
        using var client = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());

        // Below what Redis already holds: every write that needs memory is refused (noeviction).
        await stack.WhileRedisIsFullAsync(async () =>
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            using var refused = await client.SendAsync(webhook.ToRequest());
            Assert.True(started.Elapsed < PhonicStackFixture.PromptRefusal, $"503 took {started.Elapsed.TotalMilliseconds:0} ms");
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "queue-full");
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.False(await stack.Redis.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));

            var health = await HealthEndpoint.ReadAsync(client);
            Assert.True(health.Status == HttpStatusCode.ServiceUnavailable, $"/health while Redis is full: {(int)health.Status} {health.Body}");
            Assert.Contains("Redis is out of memory", health.Body, StringComparison.Ordinal);
        });

        // A readiness probe on /health takes an unhealthy replica out of its load balancer, so no delivery would
        // reach it to find that Redis has room again: /health itself has to find out.
        await HealthEndpoint.WaitUntilAsync(
            client, answer => answer.Status == HttpStatusCode.OK, TimeSpan.FromSeconds(10),
            "/health to answer 200 with Redis below its maxmemory again and no delivery sent");

        // Svix's retry finds room.
        using (var accepted = await client.SendAsync(SignedWebhook.Create(webhook.Body, webhook.SvixId).ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        await stack.WaitUntilHealthyAsync("webhookapi");
    }

    private async Task<string?> ConfigGetAsync(string setting)
    {
        var reply = (StackExchange.Redis.RedisResult[])(await stack.Redis.ExecuteAsync("CONFIG", "GET", setting))!;
        return (string?)reply[1];
    }
}
