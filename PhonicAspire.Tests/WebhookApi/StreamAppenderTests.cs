using System.Runtime.Versioning;
using Microsoft.Extensions.Options;
using PhonicAspire.Tests.AppHost;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Queueing;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Tests.WebhookApi;

/// <summary>
/// The API's batched appends against a real redis-server that stalls: a delivery that gives up while it waits behind
/// an append still on its way to Redis is never sent.
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
        var appender = new StreamAppender(redis.Connection, options);
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

    private static QueuedDelivery Delivery(string svixId) =>
        new(svixId, PhonicEventTypes.ConversationEnded, "conv", DateTimeOffset.UtcNow, "{}"u8.ToArray());
}
