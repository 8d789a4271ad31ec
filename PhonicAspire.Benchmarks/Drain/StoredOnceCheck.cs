using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.Drain;

/// <summary>
/// What shows whether a round stored each entry exactly once. <c>webhook_events</c> is keyed by svix id, so a
/// second store of an entry adds no row; what would show it is an entry left pending or in the stream (to be
/// claimed and stored again later), one dead-lettered, or rows the round did not send.
/// </summary>
public sealed class StoredOnceCheck(StoredRowCounter counter, WorkerConsumerGroup group, IDatabase redis, TimeProvider timeProvider)
{
    // The last batches are acknowledged just after their rows commit, so the stream empties a moment after the rows appear.
    private static readonly TimeSpan AcknowledgeLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Call before the round's entries are added.</summary>
    public async Task<Before> BeforeAsync(CancellationToken cancellationToken) =>
        new(await counter.CountAllAsync(cancellationToken), await redis.StreamLengthAsync(WebhookStream.DeadLetterName));

    /// <summary>Waits (boundedly) for the round's last acknowledgements, then reads what the round left.</summary>
    public async Task<StoredOnce> AfterAsync(Before before, IReadOnlyList<string> svixIds, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        while (true)
        {
            var pending = await group.PendingAsync();
            var streamLength = await redis.StreamLengthAsync(WebhookStream.Name);
            if ((pending == 0 && streamLength == 0) || timeProvider.GetElapsedTime(started) >= AcknowledgeLimit)
            {
                return new StoredOnce(
                    svixIds.Count,
                    await counter.CountAsync(svixIds, cancellationToken),
                    await counter.CountAllAsync(cancellationToken) - before.Rows,
                    pending,
                    streamLength,
                    await redis.StreamLengthAsync(WebhookStream.DeadLetterName) - before.DeadLetters);
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken);
        }
    }

    public sealed record Before(long Rows, long DeadLetters);
}

/// <param name="Stored">Rows with the round's svix ids.</param>
/// <param name="TableGrowth">Rows added to <c>webhook_events</c> in all.</param>
public sealed record StoredOnce(int Sent, long Stored, long TableGrowth, long Pending, long StreamLength, long DeadLettered)
{
    public bool Holds => Stored == Sent && TableGrowth == Sent && Pending == 0 && StreamLength == 0 && DeadLettered == 0;
}
