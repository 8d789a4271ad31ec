using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>
/// A forwarding destination's window: a read waits while the deliveries or the bytes held reach their bound, and each
/// batch gives back exactly what it took, part as its deliveries are reported, the rest when it ends.
/// </summary>
public sealed class DeliveryWindowAccountingTests
{
    [Theory]
    [InlineData(10, 100, 1, 100, 1, 100, 10, 100)]
    [InlineData(2, 1_000, 2, 10, 1, 5, 1, 995)]
    public async Task A_read_waits_while_the_deliveries_or_the_bytes_held_reach_their_bound_and_goes_on_once_some_are_given_back(
        int maxDeliveries, long maxBytes, int heldDeliveries, long heldBytes, int givenBackDeliveries, long givenBackBytes, int roomDeliveries, long roomBytes)
    {
        var window = new DeliveryWindow(new DeliveryWindowLimits(maxDeliveries, maxBytes));
        window.Take(heldDeliveries, heldBytes);

        var room = window.WaitForRoomAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(room.IsCompleted, $"a read was let through with {heldDeliveries} of {maxDeliveries} deliveries and {heldBytes} of {maxBytes} bytes held");

        window.Release(givenBackDeliveries, givenBackBytes);
        Assert.Equal((roomDeliveries, roomBytes), await room.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_batch_gives_back_each_reported_entrys_share_then_the_rest_and_never_more_than_it_took()
    {
        var window = new DeliveryWindow(new DeliveryWindowLimits(Deliveries: 10, Bytes: 1_000));
        StreamEntry[] entries = [Entry("1-0", "a", 100), Entry("2-0", "b", 200), Entry("3-0", "c", 300)];
        var bytes = entries.Sum(DeliveryWindow.SizeOf);
        window.Take(entries.Length, bytes);
        var slots = new BatchSlots(window, entries.Length, bytes);

        slots.Release([entries[0]]);
        Assert.Equal((8, 1_000 - bytes + DeliveryWindow.SizeOf(entries[0])), await window.WaitForRoomAsync(CancellationToken.None));

        slots.ReleaseRest();
        slots.ReleaseRest();
        slots.Release([entries[1]]);
        Assert.Equal((10, 1_000L), await window.WaitForRoomAsync(CancellationToken.None));
    }

    [Fact]
    public void An_entrys_share_is_the_bytes_of_its_field_names_and_values_as_the_read_scripts_count_them()
    {
        Assert.Equal("body".Length + 123 + "svix_id".Length + "msg".Length, DeliveryWindow.SizeOf(Entry("1-0", "msg", 123)));
    }

    private static StreamEntry Entry(string id, string svixId, int bodyBytes) =>
        new(id, [new NameValueEntry("body", new byte[bodyBytes]), new NameValueEntry("svix_id", svixId)]);
}
