using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Tests.AppHost;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Queueing;
using PhonicAspire.WebhookApi.Queueing.Durability;
using PhonicAspire.WebhookApi.Receiving;
using PhonicAspire.Webhooks.Svix;
using StackExchange.Redis;

namespace PhonicAspire.Tests.WebhookApi;

/// <summary>
/// An append that fails in an unforeseen way, here refused by the Redis client itself (a command map that has no
/// EVAL, as a connection string's <c>$EVAL=</c> makes it), is still a queue that did not take the delivery: 503 for
/// Svix to retry, the body's share of the in-flight budget given back, and the cause in the log whole.
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
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var log = new FakeLogger<WebhookReceiver>();

        var key = RandomNumberGenerator.GetBytes(32);
        var options = Options.Create(new WebhookOptions { WebhookSecrets = $"whsec_{Convert.ToBase64String(key)}" });
        var budget = new InFlightBodyBudget(options);
        var appender = new StreamAppender(client, options, TimeProvider.System);
        var durability = new RedisDurabilityMonitor(client, new RedisDurabilityProbe(client), options, TimeProvider.System, NullLogger<RedisDurabilityMonitor>.Instance);
        await appender.StartAsync(CancellationToken.None);
        await durability.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.ReturnsAsync(() => Task.FromResult(durability.AllowsAcknowledging), allows => allows, TimeSpan.FromSeconds(30), "the API to read Redis as durable");
            var receiver = new WebhookReceiver(
                new WebhookBodyReader(options, budget),
                new SvixSignatureVerifier(WebhookSigningKeys.Parse(options.Value.WebhookSecrets), TimeProvider.System),
                new WebhookQueue(appender, options),
                durability,
                new RedisMemoryPressure(new RedisDurabilityProbe(client)),
                new PhonicMetrics(meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
                TimeProvider.System,
                options,
                log);

            var answer = await receiver.ReceiveAsync(SignedDelivery(key));

            var problem = Assert.IsType<ProblemHttpResult>(answer);
            Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
            Assert.True(
                budget.TryReserve(options.Value.MaxInFlightBodyBytes + InFlightBodyBudget.Allowance, out _),
                "the refused delivery still holds part of the in-flight budget: later large deliveries would be refused as busy");
            var logged = Assert.Single(log.Collector.GetSnapshot(), record => record.Level == LogLevel.Error);
            Assert.IsType<RedisCommandException>(logged.Exception);
        }
        finally
        {
            await durability.StopAsync(CancellationToken.None);
            await appender.StopAsync(CancellationToken.None);
        }
    }

    private static DefaultHttpContext SignedDelivery(byte[] key)
    {
        var body = Encoding.UTF8.GetBytes(
            """{"event_type":"conversation.ended","data":{"conversation":{"id":"conv_refused","note":""" + $"\"{new string('x', BodyBytes)}\"" + "}}}");
        var svixId = $"msg_{Guid.NewGuid():N}";
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Post;
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        context.Request.Headers[SvixHeaders.Id] = svixId;
        context.Request.Headers[SvixHeaders.Timestamp] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Request.Headers[SvixHeaders.Signature] = SvixSigner.Sign(key, svixId, timestamp, body);
        return context;
    }
}
