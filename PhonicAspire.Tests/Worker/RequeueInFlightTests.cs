using System.Runtime.Versioning;
using PhonicAspire.Tests.AppHost;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Worker;

/// <summary>
/// A requeue of stored events with bodies as large as the API takes, against a redis-server of the test's own that
/// holds every write for a while: the requeue keeps a few megabytes of appends on their way, not hundreds of bodies.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class RequeueInFlightTests
{
    private const int BodyBytes = 2 * 1024 * 1024;
    private const int EventCount = 32;

    [Fact]
    public async Task A_requeue_of_the_largest_bodies_keeps_at_most_16_MiB_of_appends_in_flight()
    {
        await using var redis = await ContainerCommandRedis.StartAsync("/bin/sh", ["-c", "redis-server --save ''"], new Dictionary<string, string>());
        var appendsStarted = 0;
        var counted = InterceptedRedis.Around(redis.Connection, command =>
        {
            if (command.Name == nameof(IDatabase.StreamAddAsync))
            {
                Interlocked.Increment(ref appendsStarted);
            }
        });
        var database = redis.Connection.GetDatabase();
        await database.ExecuteAsync("CLIENT", "PAUSE", "3000", "WRITE");

        var requeue = new WebhookStreamClient(counted, TimeProvider.System).RequeueAsync(LargeDeliveries(), CancellationToken.None);
        // Every append waits for the pause; what the requeue starts meanwhile is what it holds at once.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var startedWhilePaused = Volatile.Read(ref appendsStarted);

        Assert.Equal(EventCount, await requeue.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(EventCount, await database.StreamLengthAsync(WebhookStream.Name));
        // 256 appends in flight at once took all 32 (64 MiB) while Redis held them.
        Assert.InRange(startedWhilePaused, 1, 16 * 1024 * 1024 / BodyBytes);
    }

    private static async IAsyncEnumerable<QueuedDelivery> LargeDeliveries()
    {
        var body = new byte[BodyBytes];
        Array.Fill(body, (byte)'a');
        for (var i = 0; i < EventCount; i++)
        {
            await Task.Yield();
            yield return new QueuedDelivery(SignedWebhook.NewSvixId(), PhonicEventTypes.ConversationEnded, ConversationId: null, DateTimeOffset.UtcNow, body, Reprocess: true);
        }
    }
}
