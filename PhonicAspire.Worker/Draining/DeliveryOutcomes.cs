using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// Where a handler reports what became of each delivery of a batch, as soon as it knows: the drain loop
/// acknowledges a handled delivery's entry and dead-letters a rejected one at once, so one delivery that takes long
/// (a forward its destination keeps failing) holds neither the acknowledgement of the others nor their place in
/// the loop's window. A delivery is reported once; reports after the first are ignored.
/// </summary>
public sealed class DeliveryOutcomes
{
    private readonly Lock _gate = new();
    // A reported delivery's place is cleared, so that what a long forward keeps alive is what is still unreported,
    // not its whole batch's bodies.
    private readonly (QueuedDelivery? Delivery, StreamEntry Entry)[] _batch;
    private readonly Dictionary<QueuedDelivery, int> _positions;
    private readonly Func<IReadOnlyList<StreamEntry>, CancellationToken, Task> _acknowledge;
    private readonly Func<StreamEntry, string, CancellationToken, Task> _deadLetter;
    private readonly Action<IReadOnlyList<StreamEntry>> _reported;

    /// <param name="entries">Each delivery with its entry; by reference, since two entries can hold equal deliveries (a requeue of one still pending, say).</param>
    /// <param name="reported">Called with the entries of the deliveries just reported.</param>
    internal DeliveryOutcomes(
        IEnumerable<(QueuedDelivery Delivery, StreamEntry Entry)> entries,
        Func<IReadOnlyList<StreamEntry>, CancellationToken, Task> acknowledge,
        Func<StreamEntry, string, CancellationToken, Task> deadLetter,
        Action<IReadOnlyList<StreamEntry>> reported)
    {
        _batch = [.. entries.Select(pair => ((QueuedDelivery?)pair.Delivery, pair.Entry))];
        _positions = new Dictionary<QueuedDelivery, int>(_batch.Length, ReferenceEqualityComparer.Instance);
        for (var position = 0; position < _batch.Length; position++)
        {
            _positions[_batch[position].Delivery!] = position;
        }

        _acknowledge = acknowledge;
        _deadLetter = deadLetter;
        _reported = reported;
    }

    /// <summary>The deliveries not reported yet, in the batch's order of reading.</summary>
    public IReadOnlyList<QueuedDelivery> Unreported
    {
        get
        {
            lock (_gate)
            {
                return [.. _batch.Select(pair => pair.Delivery).OfType<QueuedDelivery>()];
            }
        }
    }

    /// <summary>The entry ids of the deliveries not reported yet.</summary>
    internal RedisValue[] UnreportedEntryIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _batch.Where(pair => pair.Delivery is not null).Select(pair => pair.Entry.Id)];
            }
        }
    }

    /// <summary>The delivery is done with: its entry is acknowledged.</summary>
    public Task HandledAsync(QueuedDelivery delivery, CancellationToken cancellationToken) => HandledAsync([delivery], cancellationToken);

    /// <summary>The deliveries are done with: their entries are acknowledged together.</summary>
    public async Task HandledAsync(IEnumerable<QueuedDelivery> deliveries, CancellationToken cancellationToken)
    {
        var entries = deliveries.Select(Take).OfType<StreamEntry>().ToArray();
        if (entries.Length > 0)
        {
            await _acknowledge(entries, cancellationToken);
            _reported(entries);
        }
    }

    /// <summary>Once the handler returned: whatever it did not report is done with, acknowledged together.</summary>
    internal async Task HandledRestAsync(CancellationToken cancellationToken)
    {
        StreamEntry[] rest;
        lock (_gate)
        {
            rest = [.. _batch.Where(pair => pair.Delivery is not null).Select(pair => pair.Entry)];
            Array.Clear(_batch);
            _positions.Clear();
        }

        if (rest.Length > 0)
        {
            await _acknowledge(rest, cancellationToken);
            _reported(rest);
        }
    }

    /// <summary>No attempt could ever handle the delivery: its entry goes to the dead letters with the reason.</summary>
    /// <param name="reason">Fit for a log line and the dead-letter stream: never a message that could quote the body.</param>
    public async Task RejectedAsync(QueuedDelivery delivery, string reason, CancellationToken cancellationToken)
    {
        if (Take(delivery) is { } entry)
        {
            await _deadLetter(entry, reason, cancellationToken);
            _reported([entry]);
        }
    }

    private StreamEntry? Take(QueuedDelivery delivery)
    {
        lock (_gate)
        {
            if (!_positions.Remove(delivery, out var position))
            {
                return null;
            }

            var entry = _batch[position].Entry;
            _batch[position] = default;
            return entry;
        }
    }
}
