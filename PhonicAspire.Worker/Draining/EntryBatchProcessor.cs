using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Resilience;
using Polly;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// One consumer's handling of the batches its drain loop reads: it decodes their entries, hands them to the
/// subscription's <see cref="IDeliveryHandler"/>, acknowledges what the handler finished and dead-letters what it
/// rejected or what could not be decoded; while a batch takes long, it keeps the batch's entries its own. An entry is
/// acknowledged only once its handler has reported it done (<see cref="DeliveryOutcomes"/>), or has returned.
/// </summary>
internal sealed partial class EntryBatchProcessor(
    DrainSubscription subscription,
    ConsumerGroupStream stream,
    string consumerName,
    DeliveryWindow? window,
    ResiliencePipeline outage,
    PhonicMetrics metrics,
    TimeProvider timeProvider,
    TimeSpan claimIdleTime,
    ILogger logger)
{
    private readonly IDeliveryHandler _handler = subscription.Handler;

    /// <summary>
    /// Starts handling a batch of <paramref name="bytes"/> that holds <paramref name="entries"/>' share of the window;
    /// the task ends once each entry is acknowledged, dead-lettered or left pending by the end of
    /// <paramref name="cancellationToken"/> (the stop's grace).
    /// </summary>
    /// <remarks>
    /// Decoded here rather than in the async method below, so that nothing holds the batch's entries but what is still
    /// unreported: a forward its destination keeps failing keeps its own body alive, not its whole batch's.
    /// </remarks>
    public Task ProcessAsync(IReadOnlyList<StreamEntry> entries, long bytes, CancellationToken cancellationToken)
    {
        var slots = new BatchSlots(window, entries.Count, bytes);
        var decoded = new List<(QueuedDelivery, StreamEntry)>(entries.Count);
        var malformed = new List<(StreamEntry Entry, string Reason)>();
        var malformedForOthers = new List<StreamEntry>();
        foreach (var entry in entries)
        {
            try
            {
                decoded.Add((DeliveryEntry.Read(entry), entry));
            }
            catch (MalformedStreamEntryException exception) when (!_handler.Takes(exception.Routing))
            {
                // Not for this consumer (a replay for another, an event type it does not take): the consumers it is for
                // dead-letter it, and no other adds a dead letter of its own.
                malformedForOthers.Add(entry);
            }
            catch (MalformedStreamEntryException exception)
            {
                malformed.Add((entry, exception.Message));
            }
        }

        var outcomes = new DeliveryOutcomes(
            decoded,
            // Given up at the end of the stop's grace, like the read: unacknowledged, the entries are handed back or
            // claimed, and handled again (the store finds them stored; a destination gets the same webhook-id again).
            (handled, token) => outage.ExecuteAsync(async attempt => await stream.AcknowledgeAsync([.. handled.Select(entry => entry.Id.ToString())], attempt), token).AsTask(),
            DeadLetterAsync,
            slots.Release);
        return HandleAsync(outcomes, decoded.Count > 0, malformed, malformedForOthers, slots, cancellationToken);
    }

    /// <summary>
    /// Moves <paramref name="entry"/> to the subscription's dead letters with <paramref name="reason"/>, and
    /// acknowledges it, in one step.
    /// </summary>
    public async Task DeadLetterAsync(StreamEntry entry, string reason, CancellationToken cancellationToken)
    {
        await outage.ExecuteAsync(async attempt => await stream.DeadLetterAsync(entry, reason, attempt), cancellationToken);
        if (subscription.ObservesStream)
        {
            metrics.DeadLettered();
        }
        LogDeadLettered(logger, entry.Id.ToString(), entry[WebhookStream.Fields.SvixId].ToString(), subscription.DeadLetterStream, reason);
    }

    private async Task HandleAsync(
        DeliveryOutcomes outcomes,
        bool anyDecoded,
        List<(StreamEntry Entry, string Reason)> malformed,
        List<StreamEntry> malformedForOthers,
        BatchSlots slots,
        CancellationToken cancellationToken)
    {
        using var handled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var keeping = KeepOwnershipAsync(outcomes, handled.Token);
        try
        {
            // Each leaves the window as soon as it is dealt with, not at the batch's end: beside a forward its
            // destination keeps failing, that can be hours.
            foreach (var (entry, reason) in malformed)
            {
                await DeadLetterAsync(entry, reason, cancellationToken);
                slots.Release([entry]);
            }

            if (malformedForOthers.Count > 0)
            {
                string[] entryIds = [.. malformedForOthers.Select(entry => entry.Id.ToString())];
                await outage.ExecuteAsync(async attempt => await stream.AcknowledgeAsync(entryIds, attempt), cancellationToken);
                slots.Release(malformedForOthers);
                LogMalformedForOthers(logger, malformedForOthers.Count, subscription.Name);
            }

            // Dealt with: their bodies need not live as long as the handling of the rest.
            malformed.Clear();
            malformedForOthers.Clear();
            if (anyDecoded)
            {
                // A retry after an outage hands over only what the failed attempt had not reported.
                await outage.ExecuteAsync(async token => await _handler.HandleAsync(outcomes.Unreported, outcomes, token), cancellationToken);
                await outcomes.HandledRestAsync(cancellationToken);
            }
        }
        finally
        {
            // What was not reported (malformed, or left pending at shutdown) leaves the window too, before anything
            // here can throw: a lost slot would shrink the window for good.
            slots.ReleaseRest();
            await handled.CancelAsync();
            await keeping;
        }
    }

    /// <summary>
    /// While a batch takes longer than the claim idle time allows (a forwarding destination that is down, storage
    /// waiting out an outage), its unreported entries are touched so that they are not claimed as abandoned and
    /// handled twice at once, nor counted as crashing.
    /// </summary>
    private async Task KeepOwnershipAsync(DeliveryOutcomes outcomes, CancellationToken handled)
    {
        var interval = claimIdleTime / 3;
        while (true)
        {
            // Nearly every batch ends within the first wait, which its end cancels: an exception thrown and caught a
            // batch, hundreds a second at a steady load, for nothing.
            await Task.Delay(interval, timeProvider, handled).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (handled.IsCancellationRequested)
            {
                return;
            }

            try
            {
                if (outcomes.UnreportedEntryIds is { Length: > 0 } entryIds)
                {
                    await stream.KeepAsync(consumerName, entryIds, handled);
                }
            }
            catch (OperationCanceledException) when (handled.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (StorageOutage.IsUnreachable(exception))
            {
                // Redis away: the entries cannot be claimed by anyone meanwhile either.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipped {Count} malformed entries that are not for {Subscription}; the consumers they are for dead-letter them")]
    private static partial void LogMalformedForOthers(ILogger logger, int count, string subscription);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream entry {EntryId} (svix id {SvixId}) moved to {DeadLetterStream}: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string entryId, string svixId, string deadLetterStream, string reason);
}
