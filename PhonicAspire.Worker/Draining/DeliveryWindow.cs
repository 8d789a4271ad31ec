namespace PhonicAspire.Worker.Draining;

/// <summary>
/// The most deliveries a subscription holds read and not yet reported, however many batches they came in: a slot per
/// delivery, taken when it is read and given back when it is reported, so that a delivery its destination keeps
/// failing holds its own slot and not its batch's. Only the drain loop takes slots.
/// </summary>
internal sealed class DeliveryWindow(int size)
{
    private readonly SemaphoreSlim _slots = new(size, size);

    /// <summary>Waits until a slot is free; returns how many are.</summary>
    public async Task<int> WaitForRoomAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        _slots.Release();
        return _slots.CurrentCount;
    }

    // Only the drain loop takes slots, so the room it was given is still there.
    public void Take(int deliveries)
    {
        for (var taken = 0; taken < deliveries; taken++)
        {
            _slots.Wait(0);
        }
    }

    public void Release(int deliveries) => _slots.Release(deliveries);
}

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
