namespace PhonicAspire.Worker.Draining;

/// <summary>
/// The most deliveries a subscription holds read and not yet reported, however many batches they came in: a slot per
/// delivery, taken when it is read and given back when it is reported, so that a delivery its destination keeps
/// failing holds its own slot and not its batch's.
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

    // The room the drain loop was given is still there: no one else takes slots.
    public void Take(int deliveries)
    {
        for (var taken = 0; taken < deliveries; taken++)
        {
            _slots.Wait(0);
        }
    }

    public void Release(int deliveries) => _slots.Release(deliveries);
}
