using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>
/// A forwarding destination's window: a read waits while the deliveries or the bytes held reach their bound, and each
/// batch gives back exactly what it took, part as its deliveries are reported, the rest when it ends.
/// </summary>
public sealed class DeliveryWindowAccountingTests
{
    [Fact]
    public async Task A_read_waits_while_the_bytes_held_reach_the_bound_and_goes_on_once_they_are_given_back()
    {
        var window = new DeliveryWindow(new DeliveryWindowLimits(Deliveries: 10, Bytes: 100));
        window.Take(1, 100);

        var room = window.WaitForRoomAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(room.IsCompleted, "a read was let through with every byte of the window held");

        window.Release(1, 100);
        Assert.Equal((10, 100L), await room.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_read_waits_while_every_delivery_is_held_however_few_bytes_they_are()
    {
        var window = new DeliveryWindow(new DeliveryWindowLimits(Deliveries: 2, Bytes: 1_000));
        window.Take(2, 10);

        var room = window.WaitForRoomAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(room.IsCompleted, "a read was let through with every delivery of the window held");

        window.Release(1, 5);
        Assert.Equal((1, 995L), await room.WaitAsync(TimeSpan.FromSeconds(5)));
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
