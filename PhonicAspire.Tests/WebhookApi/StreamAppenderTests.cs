using System.Runtime.CompilerServices;
using System.Runtime.Versioning;
using Microsoft.Extensions.Options;
using PhonicAspire.Tests.AppHost;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Queueing;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.WebhookApi;

/// <summary>
/// The API's batched appends against a real redis-server that stalls: a delivery that gives up while it waits behind
/// an append still on its way to Redis is never sent, and its body is not kept for the rest of the stall.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class StreamAppenderTests
{
    private static readonly TimeSpan QueueTimeout = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_delivery_that_gave_up_behind_a_stalled_append_is_never_appended()
    {
        await using var redis = await ContainerCommandRedis.StartAsync(
            "/bin/sh", ["-c", "redis-server --appendonly yes --appendfsync always --maxmemory-policy noeviction"], new Dictionary<string, string>());
        var options = Options.Create(new WebhookOptions { QueueTimeout = QueueTimeout });
        var appender = new StreamAppender(redis.Connection, options, TimeProvider.System);
        await appender.StartAsync(CancellationToken.None);
        try
        {
            var queue = new WebhookQueue(appender, options);
            var database = redis.Connection.GetDatabase();

            // Every write waits 4 s: the first delivery's append is taken alone and waits in Redis (the client's own
            // timeout is 5 s); the next one queues behind it and gives up after its 500 ms.
            await database.ExecuteAsync("CLIENT", "PAUSE", "4000", "WRITE");
            var inFlight = queue.EnqueueAsync(Delivery("msg_in_flight"), CancellationToken.None);
            await Task.Delay(QueueTimeout);
            await Assert.ThrowsAsync<QueueAppendException>(() => queue.EnqueueAsync(Delivery("msg_gave_up"), CancellationToken.None));
            await Assert.ThrowsAsync<QueueAppendException>(() => inFlight);

            // Once Redis resumes, a later delivery's answer means every append queued before it has been dealt with.
            await database.ExecuteAsync("CLIENT", "UNPAUSE");
            Assert.Equal(EnqueueResult.Queued, await queue.EnqueueAsync(Delivery("msg_after"), CancellationToken.None));
            Assert.True(await database.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + "msg_in_flight"), "the append already sent was not appended");
            Assert.False(await database.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + "msg_gave_up"), "a delivery answered 503 before it was sent was appended later");
        }
        finally
        {
            await appender.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_delivery_that_gave_up_behind_a_stalled_append_leaves_its_body_to_the_garbage_collector_while_Redis_still_stalls()
    {
        await using var redis = await ContainerCommandRedis.StartAsync(
            "/bin/sh", ["-c", "redis-server --appendonly yes --appendfsync always --maxmemory-policy noeviction"], new Dictionary<string, string>());

        // The stall must outlast the whole check: the client would otherwise fail the append ahead at its own 5 s.
        var clientOptions = ConfigurationOptions.Parse(redis.Connection.Configuration);
        clientOptions.AsyncTimeout = (int)TimeSpan.FromSeconds(60).TotalMilliseconds;
        await using var patientClient = await ConnectionMultiplexer.ConnectAsync(clientOptions);
        var options = Options.Create(new WebhookOptions { QueueTimeout = QueueTimeout });
        var appender = new StreamAppender(patientClient, options, TimeProvider.System);
        await appender.StartAsync(CancellationToken.None);
        var database = redis.Connection.GetDatabase();
        try
        {
            var queue = new WebhookQueue(appender, options);
            await database.ExecuteAsync("CLIENT", "PAUSE", "30000", "WRITE");
            var inFlight = queue.EnqueueAsync(Delivery("msg_in_flight"), CancellationToken.None);
            await Task.Delay(QueueTimeout);

            // Under load every delivery that gives up during a stall would otherwise hold its body until Redis answers.
            var gaveUp = await GiveUpBehindStallAsync(queue, "msg_gave_up");
            await Eventually.ReturnsAsync(
                () =>
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    return Task.FromResult(gaveUp.IsAlive);
                },
                alive => !alive, TimeSpan.FromSeconds(10), "the body of the delivery that gave up to be collected while Redis still stalls");
            Assert.True(await database.StreamLengthAsync(WebhookStream.Name) == 0, "the append ahead was done: Redis no longer stalled, so the check proved nothing");
            await Assert.ThrowsAsync<QueueAppendException>(() => inFlight);
        }
        finally
        {
            await database.ExecuteAsync("CLIENT", "UNPAUSE");
            await appender.StopAsync(CancellationToken.None);
        }
    }

    // Not inlined, so that no frame of the test holds the body it gives.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> GiveUpBehindStallAsync(WebhookQueue queue, string svixId)
    {
        var body = new byte[1024 * 1024];
        var weakBody = new WeakReference(body);
        await Assert.ThrowsAsync<QueueAppendException>(() => queue.EnqueueAsync(Delivery(svixId, body), CancellationToken.None));
        return weakBody;
    }

    private static QueuedDelivery Delivery(string svixId) => Delivery(svixId, "{}"u8.ToArray());

    private static QueuedDelivery Delivery(string svixId, byte[] body) =>
        new(svixId, PhonicEventTypes.ConversationEnded, "conv", DateTimeOffset.UtcNow, body);
}
