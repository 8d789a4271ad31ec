using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// The window's share one batch holds: each delivery's goes back when it is reported, the rest when the batch ends.
/// Nothing when the subscription has no window.
/// </summary>
internal sealed class BatchSlots(DeliveryWindow? window, int deliveries, long bytes)
{
    private readonly Lock _gate = new();
    private int _heldDeliveries = deliveries;
    private long _heldBytes = bytes;

    public void Release(IReadOnlyList<StreamEntry> reported)
    {
        if (window is not null && reported.Count > 0)
        {
            Release(reported.Count, reported.Sum(DeliveryWindow.SizeOf));
        }
    }

    public void ReleaseRest()
    {
        if (window is not null)
        {
            Release(_heldDeliveries, _heldBytes);
        }
    }

    private void Release(int count, long size)
    {
        lock (_gate)
        {
            count = Math.Min(count, _heldDeliveries);
            size = Math.Min(size, _heldBytes);
            _heldDeliveries -= count;
            _heldBytes -= size;
        }

        if (count > 0 || size > 0)
        {
            window!.Release(count, size);
        }
    }
}
