using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using PhonicAspire.Tests.AppHost;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Worker;

/// <summary>
/// What operators run over events with bodies as large as the API takes, on a redis-server of the test's own: listing
/// and replaying dead letters reads a few megabytes at a time, so Redis, which the API shares, never holds a whole
/// page of them at once, and a requeue keeps a few megabytes of appends on their way, not hundreds of bodies.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class LargeBodyOperationsTests
{
    private const int BodyBytes = 2 * 1024 * 1024;
    private const int EventCount = 32;

    // A page of 100 taken whole held all 64 MiB of the bodies at once in Redis: XRANGE's reply, and for the replay
    // its Lua copy too.
    private const double MostGrowthMegabytes = 24;

    [Fact]
    public async Task Replaying_dead_letters_with_the_largest_bodies_grows_Redis_by_a_few_megabytes_not_by_a_page_of_them()
    {
        await using var redis = await StartRedisWithDeadLettersAsync();
        var database = redis.Connection.GetDatabase();
        var peak = await RedisPeak.OfAsync(database);

        var replay = await new WebhookStreamClient(redis.Connection, TimeProvider.System)
            .ReplayDeadLettersAsync(DeadLetterFilter.All, WebhookStream.DeadLetterName, CancellationToken.None);

        Assert.Equal(new DeadLetterReplay(EventCount, 0), replay);
        Assert.Equal(EventCount, await database.StreamLengthAsync(WebhookStream.Name));
        Assert.Equal(0, await database.StreamLengthAsync(WebhookStream.DeadLetterName));
        AssertGrewByAFewMegabytes(peak);
    }

    [Fact]
    public async Task Listing_dead_letters_with_the_largest_bodies_grows_Redis_by_a_few_megabytes_not_by_a_page_of_them()
    {
        await using var redis = await StartRedisWithDeadLettersAsync();
        var peak = await RedisPeak.OfAsync(redis.Connection.GetDatabase());

        var listed = new List<DeadLetter>();
        await foreach (var deadLetter in new WebhookStreamClient(redis.Connection, TimeProvider.System).ListDeadLettersAsync(DeadLetterFilter.All, WebhookStream.DeadLetterName))
        {
            listed.Add(deadLetter);
        }

        Assert.Equal(Enumerable.Range(0, EventCount).Select(LargeBodyPrefix), listed.Select(deadLetter => Encoding.UTF8.GetString(deadLetter.Body!.Value.Span[..LargeBodyPrefix(0).Length])));
        Assert.All(listed, deadLetter => Assert.Equal(BodyBytes, deadLetter.Body!.Value.Length));
        AssertGrewByAFewMegabytes(peak);
    }

    [Fact]
    public async Task A_requeue_of_the_largest_bodies_keeps_at_most_16_MiB_of_appends_in_flight()
    {
        await using var redis = await StartRedisAsync();
        var appendsStarted = 0;
        var counted = InterceptedRedis.Around(redis.Connection, command =>
        {
            if (command.Name == nameof(IDatabase.StreamAddAsync))
            {
                Interlocked.Increment(ref appendsStarted);
            }
        });
        var database = redis.Connection.GetDatabase();

        // The pause outlasts any late sample and is lifted once the sample is taken, from a connection of its own: on
        // the requeue's, the paused appends hold up whatever is sent after them. A pause of 4.5 s that ended by itself
        // left the last appends 0.5 s of the client's 5 s timeout, and on a busy machine one timed out.
        await using var lifter = await ConnectionMultiplexer.ConnectAsync(redis.Connection.Configuration);
        await database.ExecuteAsync("CLIENT", "PAUSE", "30000", "WRITE");

        var requeue = new WebhookStreamClient(counted, TimeProvider.System).RequeueAsync(LargeDeliveries(), CancellationToken.None);
        // Every append waits for the pause; what the requeue starts meanwhile is what it holds at once.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var startedWhilePaused = Volatile.Read(ref appendsStarted);
        await lifter.GetDatabase().ExecuteAsync("CLIENT", "UNPAUSE");

        Assert.Equal(EventCount, await requeue.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(EventCount, await database.StreamLengthAsync(WebhookStream.Name));
        // 256 appends in flight at once took all 32 (64 MiB) while Redis held them.
        Assert.InRange(startedWhilePaused, 1, 16 * 1024 * 1024 / BodyBytes);
    }

    private static async IAsyncEnumerable<QueuedDelivery> LargeDeliveries()
    {
        var body = LargeBody(0);
        for (var i = 0; i < EventCount; i++)
        {
            await Task.Yield();
            yield return new QueuedDelivery(SignedWebhook.NewSvixId(), PhonicEventTypes.ConversationEnded, ConversationId: null, DateTimeOffset.UtcNow, body, Reprocess: true);
        }
    }

    private static void AssertGrewByAFewMegabytes(RedisPeak before)
    {
        var grownMegabytes = before.GrowthMegabytes();
        Assert.True(grownMegabytes < MostGrowthMegabytes, $"Redis's peak resident size grew by {grownMegabytes:F1} MB.");
    }

    private static Task<ContainerCommandRedis> StartRedisAsync() =>
        ContainerCommandRedis.StartAsync("/bin/sh", ["-c", "redis-server --save ''"], new Dictionary<string, string>());

    private static async Task<ContainerCommandRedis> StartRedisWithDeadLettersAsync()
    {
        var redis = await StartRedisAsync();
        var database = redis.Connection.GetDatabase();
        for (var i = 0; i < EventCount; i++)
        {
            await database.StreamAddAsync(WebhookStream.DeadLetterName,
            [
                .. StreamEntryFields.Of(SignedWebhook.Create(LargeBody(i)), PhonicEventTypes.ConversationEnded),
                new(WebhookStream.Fields.Error, "test"),
            ]);
        }

        return redis;
    }

    // Ten digits, so that every prefix is as long as the first.
    private static string LargeBodyPrefix(int index) => $$"""{"event_type":"conversation.ended","padding":"{{index:D10}}""";

    private static byte[] LargeBody(int index)
    {
        var body = new byte[BodyBytes];
        Array.Fill(body, (byte)'a');
        Encoding.UTF8.GetBytes(LargeBodyPrefix(index)).CopyTo(body, 0);
        "\"}"u8.CopyTo(body.AsSpan(BodyBytes - 2));
        return body;
    }

    /// <summary>The redis-server's peak resident size (VmHWM) when measured, to compare with its peak later.</summary>
    private sealed record RedisPeak(int ProcessId, long Kilobytes)
    {
        public static async Task<RedisPeak> OfAsync(IDatabase database)
        {
            var processId = int.Parse(
                await RedisInfo.FieldAsync(database, "server", "process_id") ?? throw new InvalidOperationException("Redis's INFO server has no process_id."),
                CultureInfo.InvariantCulture);
            return new RedisPeak(processId, ProcFs.StatusKilobytes(processId, "VmHWM"));
        }

        public double GrowthMegabytes() => (ProcFs.StatusKilobytes(ProcessId, "VmHWM") - Kilobytes) / 1024.0;
    }
}
