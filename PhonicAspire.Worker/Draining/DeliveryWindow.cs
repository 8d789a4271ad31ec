using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// What a subscription holds read and not yet reported, however many batches it came in: at most
/// <see cref="DeliveryWindowLimits.Deliveries"/> deliveries and <see cref="DeliveryWindowLimits.Bytes"/> bytes of
/// entries (but for one entry larger than what is left, which is still read, alone, and a read another consumer raced
/// past, which keeps a few more: <see cref="ConsumerGroupStream.ReadNewAsync"/>). Taken when read and given back
/// when reported, so that a delivery its destination keeps failing holds its own share and not its batch's.
/// </summary>
internal sealed class DeliveryWindow(DeliveryWindowLimits limits)
{
    private readonly Lock _gate = new();
    private int _deliveries;
    private long _bytes;
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>An entry's share of the window: the bytes of its field names and values, as the reads count them.</summary>
    public static long SizeOf(StreamEntry entry) =>
        entry.Values.Sum(field => (long)field.Name.Length() + field.Value.Length());

    /// <summary>Waits until a delivery and a byte are free; returns how many of each are.</summary>
    public async Task<(int Deliveries, long Bytes)> WaitForRoomAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task released;
            lock (_gate)
            {
                if (_deliveries < limits.Deliveries && _bytes < limits.Bytes)
                {
                    return (limits.Deliveries - _deliveries, limits.Bytes - _bytes);
                }

                released = _released.Task;
            }

            await released.WaitAsync(cancellationToken);
        }
    }

    // Within the room the drain loop was given: no one else takes from the window.
    public void Take(int deliveries, long bytes)
    {
        lock (_gate)
        {
            _deliveries += deliveries;
            _bytes += bytes;
        }
    }

    public void Release(int deliveries, long bytes)
    {
        TaskCompletionSource released;
        lock (_gate)
        {
            _deliveries -= deliveries;
            _bytes -= bytes;
            released = _released;
            _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        released.TrySetResult();
    }
}
