using System.Runtime.Versioning;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;
using PhonicAspire.Tests.AppHost;
using PhonicAspire.WebhookApi.Receiving;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.WebhookApi;

/// <summary>
/// An append that fails in an unforeseen way, refused by the Redis client itself (a command map that has no EVAL, as
/// a connection string's <c>$EVAL=</c> makes it) or by Redis for good (a key of another type where the stream should
/// be), is still a queue that did not take the delivery: 503 for Svix to retry, the body's share of the in-flight
/// budget given back, and the cause in the log whole, at Error, since only someone looking will end it.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class AppendRefusalTests
{
    // Past the 64 KiB every body gets free, so the delivery reserves part of the in-flight budget.
    private const int BodyBytes = 200 * 1024;

    [Fact]
    public async Task A_delivery_whose_append_the_redis_client_refuses_gets_503_gives_back_its_share_of_the_in_flight_budget_and_logs_the_cause()
    {
        await using var redis = await ContainerCommandRedis.StartAsync(
            "/bin/sh", ["-c", "redis-server --appendonly yes --appendfsync always --maxmemory-policy noeviction"], new Dictionary<string, string>());
        var withoutScripts = ConfigurationOptions.Parse(redis.Connection.Configuration);
        withoutScripts.CommandMap = CommandMap.Create(["EVAL", "EVALSHA"], available: false);
        await using var client = await ConnectionMultiplexer.ConnectAsync(withoutScripts);
        await using var api = await ReceiverOverRedis.StartAsync(client);
        var body = Encoding.UTF8.GetBytes(
            """{"event_type":"conversation.ended","data":{"conversation":{"id":"conv_refused","note":""" + $"\"{new string('x', BodyBytes)}\"" + "}}}");

        var answer = await api.Receiver.ReceiveAsync(api.SignedDelivery(body, new MemoryStream(body)));

        var problem = Assert.IsType<ProblemHttpResult>(answer);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
        Assert.True(
            api.Budget.TryReserve(api.Options.Value.MaxInFlightBodyBytes + InFlightBodyBudget.Allowance, out _),
            "the refused delivery still holds part of the in-flight budget: later large deliveries would be refused as busy");
        var logged = Assert.Single(api.Log.Collector.GetSnapshot(), record => record.Level == LogLevel.Error);
        Assert.IsType<RedisCommandException>(logged.Exception);
    }

    [Fact]
    public async Task A_delivery_whose_append_redis_refuses_with_an_error_no_wait_ends_gets_503_and_logs_the_reply_at_error()
    {
        await using var redis = await ContainerCommandRedis.StartAsync(
            "/bin/sh", ["-c", "redis-server --appendonly yes --appendfsync always --maxmemory-policy noeviction"], new Dictionary<string, string>());
        await redis.Connection.GetDatabase().StringSetAsync(WebhookStream.Name, "not a stream");
        await using var api = await ReceiverOverRedis.StartAsync(redis.Connection);
        var body = """{"event_type":"conversation.ended","data":{"conversation":{"id":"conv_wrong_type"}}}"""u8.ToArray();

        var answer = await api.Receiver.ReceiveAsync(api.SignedDelivery(body, new MemoryStream(body)));

        var problem = Assert.IsType<ProblemHttpResult>(answer);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
        var logged = Assert.Single(api.Log.Collector.GetSnapshot(), record => record.Level == LogLevel.Error);
        Assert.Contains("WRONGTYPE", logged.Exception?.Message, StringComparison.Ordinal);
    }
}
