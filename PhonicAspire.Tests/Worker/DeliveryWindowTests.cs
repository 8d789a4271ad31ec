using System.Collections.Concurrent;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Draining;

namespace PhonicAspire.Tests.Worker;

/// <summary>
/// A forwarding subscription's window on a real Redis (a stream of its own, beside the stack's): while its destination
/// takes nothing, what the worker holds is bounded by bytes as well as by deliveries.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class DeliveryWindowTests(PhonicStackFixture stack) : IAsyncLifetime
{
    private const string Group = "tests";
    private const int BodyBytes = 256 * 1024;
    private const long WindowBytes = 1024 * 1024;
    private const int Entries = 20;

    private readonly string _stream = $"tests:window:{Guid.NewGuid():N}";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => stack.Redis.KeyDeleteAsync([_stream, $"{_stream}:dead"]);

    [Fact]
    public async Task While_nothing_is_reported_the_window_holds_no_more_bytes_than_allowed_but_for_one_entry_and_takes_the_rest_as_deliveries_are_reported()
    {
        for (var i = 0; i < Entries; i++)
        {
            var delivery = new QueuedDelivery($"msg_window_{i}", PhonicEventTypes.ConversationEnded, "conv", DateTimeOffset.UtcNow, new byte[BodyBytes]);
            await stack.Redis.StreamAddAsync(_stream, DeliveryEntry.ToFields(delivery));
        }

        var destination = new DestinationDownUntilOpened();
        using var loops = new DrainLoops();
        using var worker = loops.Create(
            stack,
            new DrainSubscription("tests", Group, $"{_stream}:dead", destination, DeliveryWindow: new(1_000, WindowBytes), Stream: _stream),
            new WorkerOptions());
        await worker.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.ReturnsAsync(() => Task.FromResult(destination.Received.Count), received => received > 0, TimeSpan.FromSeconds(10),
                "the first deliveries to reach the destination");

            // Time for the loop to read whatever more its window would let it.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var held = destination.Received.Count;
            Assert.True(held <= WindowBytes / BodyBytes + 1, $"the worker held {held} bodies of {BodyBytes} bytes with a window of {WindowBytes} bytes");
            Assert.Equal(held, (await stack.Redis.StreamPendingAsync(_stream, Group)).PendingMessageCount);

            destination.Open();
            await Eventually.ReturnsAsync(() => Task.FromResult(destination.Received.Distinct().Count()), received => received == Entries, TimeSpan.FromSeconds(20),
                "every delivery to reach the destination once it takes them");
            await Eventually.ReturnsAsync(async () => (await stack.Redis.StreamPendingAsync(_stream, Group)).PendingMessageCount, pending => pending == 0,
                TimeSpan.FromSeconds(10), "every delivery to be acknowledged");
        }
        finally
        {
            destination.Open();
            await worker.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    /// <summary>Holds every delivery it is handed, as a destination that is down, until it is opened.</summary>
    private sealed class DestinationDownUntilOpened : IDeliveryHandler
    {
        private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ConcurrentQueue<string> Received { get; } = new();

        public void Open() => _opened.TrySetResult();

        public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public bool Takes(DeliveryRouting routing) => true;

        public async Task HandleAsync(IReadOnlyList<QueuedDelivery> deliveries, DeliveryOutcomes outcomes, CancellationToken cancellationToken)
        {
            foreach (var delivery in deliveries)
            {
                Received.Enqueue(delivery.SvixId);
            }

            await _opened.Task.WaitAsync(cancellationToken);
        }
    }
}
