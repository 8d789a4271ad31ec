using System.Text;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Worker;

/// <summary>
/// Drain loops started and stopped on a real Redis (a stream of their own, beside the stack's), as deploys start and
/// stop workers while storage or a forwarding destination is down.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class WorkerRestartTests(PhonicStackFixture stack) : IAsyncLifetime
{
    private const string Group = "tests";
    // Far longer than a run waits for the entry, so only a hand-back makes it claimable by the next run.
    private static readonly TimeSpan ClaimIdleTime = TimeSpan.FromMinutes(2);

    private readonly string _stream = $"tests:restarts:{Guid.NewGuid():N}";

    private string DeadLetters => $"{_stream}:dead";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => stack.Redis.KeyDeleteAsync([_stream, DeadLetters]);

    [Fact]
    public async Task Entries_a_stopping_worker_could_not_finish_are_handed_back_uncounted_so_deploys_through_an_outage_never_dead_letter_them()
    {
        // One attempt allowed: any delivery the restarts added would dead-letter the entry as a crasher.
        var delivery = new QueuedDelivery("msg_restarts", "conversation.ended", "conv_restarts", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("{}"));
        await stack.Redis.StreamAddAsync(_stream, DeliveryEntry.ToFields(delivery));

        for (var run = 1; run <= 3; run++)
        {
            var handler = new WaitingOutOutageHandler();
            using var loops = new DrainLoops();
            using var worker = loops.Create(
                stack,
                new DrainSubscription("tests", Group, DeadLetters, handler, Stream: _stream),
                new WorkerOptions { ClaimIdleTime = ClaimIdleTime, MaxAttempts = 1 });
            await worker.StartAsync(CancellationToken.None);
            var received = await Task.WhenAny(handler.Received.Task, Task.Delay(TimeSpan.FromSeconds(10))) == handler.Received.Task;
            await worker.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));

            var deadLettered = await stack.Redis.StreamRangeAsync(DeadLetters);
            Assert.True(received, $"run {run}: the entry never reached the handler; dead letters: {string.Join("; ", deadLettered.Select(entry => entry[WebhookStream.Fields.Error]))}");
        }

        Assert.Empty(await stack.Redis.StreamRangeAsync(DeadLetters));
        var pending = Assert.Single(await stack.Redis.StreamPendingMessagesAsync(_stream, Group, 10, RedisValue.Null));
        Assert.Equal(0, pending.DeliveryCount);

        // The stopped workers left the group; only the consumer holding what they handed back remains.
        Assert.Equal([ConsumerGroupStream.HandedBackConsumer], (await stack.Redis.StreamConsumerInfoAsync(_stream, Group)).Select(consumer => (string)consumer.Name!));
    }

    [Fact]
    public async Task A_stopping_worker_gives_the_batch_it_holds_five_seconds_of_its_own_clock_to_finish_then_hands_it_back()
    {
        var delivery = new QueuedDelivery("msg_grace", "conversation.ended", "conv_grace", DateTimeOffset.UtcNow, Encoding.UTF8.GetBytes("{}"));
        await stack.Redis.StreamAddAsync(_stream, DeliveryEntry.ToFields(delivery));
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var handler = new WaitingOutOutageHandler();
        using var loops = new DrainLoops();
        using var worker = loops.Create(
            stack,
            new DrainSubscription("tests", Group, DeadLetters, handler, Stream: _stream),
            new WorkerOptions { ClaimIdleTime = ClaimIdleTime },
            clock);
        await worker.StartAsync(CancellationToken.None);
        var handling = await handler.Received.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The grace runs on the worker's clock (timers fire as it is advanced), so these checks need no waiting.
        var stopping = worker.StopAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(handling.IsCancellationRequested, "the batch was given up before its grace ran out");
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(handling.IsCancellationRequested, "the batch was not given up when its grace ran out");

        await stopping.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, Assert.Single(await stack.Redis.StreamPendingMessagesAsync(_stream, Group, 10, RedisValue.Null)).DeliveryCount);
        Assert.Equal([ConsumerGroupStream.HandedBackConsumer], (await stack.Redis.StreamConsumerInfoAsync(_stream, Group)).Select(consumer => (string)consumer.Name!));
    }

    /// <summary>Takes each batch and never finishes it, as the storage does while PostgreSQL is down.</summary>
    private sealed class WaitingOutOutageHandler : IDeliveryHandler
    {
        /// <summary>Set, with the token the first batch was handed, when that batch arrives.</summary>
        public TaskCompletionSource<CancellationToken> Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public bool Takes(DeliveryRouting routing) => true;

        public async Task HandleAsync(IReadOnlyList<QueuedDelivery> deliveries, DeliveryOutcomes outcomes, CancellationToken cancellationToken)
        {
            Received.TrySetResult(cancellationToken);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
