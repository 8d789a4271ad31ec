using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>
/// A batch's outcomes let go of each delivery once it is reported: a forward its destination keeps failing must keep
/// only its own body alive, not its whole batch's.
/// </summary>
public sealed class DeliveryOutcomesTests
{
    [Fact]
    public async Task A_reported_delivery_and_its_entry_are_no_longer_held_while_the_rest_are()
    {
        var (outcomes, reported, kept, reportedBody, keptBody) = Batch();

        await Report(outcomes, reported);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(reportedBody.IsAlive, "the reported delivery's body is still held by the batch");
        Assert.True(keptBody.IsAlive);
        Assert.Same(kept.Target, Assert.Single(outcomes.Unreported));
        Assert.Equal(["2-0"], outcomes.UnreportedEntryIds.Select(id => id.ToString()));
    }

    [Fact]
    public async Task A_delivery_is_reported_once()
    {
        var acknowledgements = 0;
        var delivery = Delivery("a");
        var outcomes = new DeliveryOutcomes(
            [(delivery, Entry("1-0", delivery))],
            (_, _) => { acknowledgements++; return Task.CompletedTask; },
            (_, _, _) => throw new InvalidOperationException("nothing is rejected here"),
            _ => { });

        await outcomes.HandledAsync(delivery, CancellationToken.None);
        await outcomes.HandledAsync(delivery, CancellationToken.None);
        await outcomes.RejectedAsync(delivery, "too late", CancellationToken.None);

        Assert.Equal(1, acknowledgements);
        Assert.Empty(outcomes.Unreported);
    }

    // Built out of line so that no local of the test holds the deliveries or their bodies.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (DeliveryOutcomes Outcomes, WeakReference Reported, WeakReference Kept, WeakReference ReportedBody, WeakReference KeptBody) Batch()
    {
        var first = Delivery("first");
        var second = Delivery("second");
        var outcomes = new DeliveryOutcomes(
            [(first, Entry("1-0", first)), (second, Entry("2-0", second))],
            (_, _) => Task.CompletedTask,
            (_, _, _) => Task.CompletedTask,
            _ => { });
        return (outcomes, new WeakReference(first), new WeakReference(second), new WeakReference(Body(first)), new WeakReference(Body(second)));
    }

    // Out of line too, so that no temporary of the test's own frame keeps the reported delivery.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task Report(DeliveryOutcomes outcomes, WeakReference delivery) =>
        outcomes.HandledAsync((QueuedDelivery)(delivery.Target ?? throw new InvalidOperationException("collected before it was reported")), CancellationToken.None);

    private static QueuedDelivery Delivery(string svixId) =>
        new(svixId, PhonicEventTypes.ConversationEnded, "conv", DateTimeOffset.UnixEpoch, new byte[64 * 1024]);

    private static byte[] Body(QueuedDelivery delivery) =>
        MemoryMarshal.TryGetArray(delivery.Body, out var segment) ? segment.Array! : throw new InvalidOperationException("the body is not an array");

    private static StreamEntry Entry(string id, QueuedDelivery delivery) =>
        new(id, [new NameValueEntry(WebhookStream.Fields.SvixId, delivery.SvixId), new NameValueEntry(WebhookStream.Fields.Body, Body(delivery))]);
}
