namespace PhonicAspire.Worker.Draining;

/// <summary>
/// The window's slots one batch holds: each delivery's goes back when it is reported, the rest when the batch ends.
/// Nothing when the subscription has no window.
/// </summary>
internal sealed class BatchSlots(DeliveryWindow? window, int held)
{
    private int _released;

    public void Release(int count)
    {
        if (window is not null && count > 0)
        {
            Interlocked.Add(ref _released, count);
            window.Release(count);
        }
    }

    public void ReleaseRest() => Release(held - Volatile.Read(ref _released));
}
