using Microsoft.Extensions.Options;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;
using PhonicAspire.Webhooks.Samples;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Resilience;

namespace PhonicAspire.Worker.Storing;

/// <summary>
/// Stores each batch in PostgreSQL in one transaction. When the batch fails for its data (SQLSTATE classes 22, 23,
/// 54), its deliveries are stored one by one so that a poison delivery is found and rejected, with its reason, while
/// the rest are stored. An outage, or a failure that Phonic's own sample meets too (stored and rolled back), is
/// thrown: the drain loop keeps the whole batch pending and tries again.
/// </summary>
public sealed partial class PostgresDeliveryHandler(
    WebhookEventStore store,
    DatabaseMigrations migrations,
    StorageHealth health,
    IOptions<WorkerOptions> options,
    PhonicMetrics metrics,
    TimeProvider timeProvider,
    ILogger<PostgresDeliveryHandler> logger) : IDeliveryHandler
{
    public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => migrations.Applied.WaitAsync(cancellationToken);

    // Replayed for one forwarding destination: stored already.
    public bool Takes(DeliveryRouting routing) => routing.ForwardTo is null;

    public async Task HandleAsync(IReadOnlyList<QueuedDelivery> batch, DeliveryOutcomes outcomes, CancellationToken cancellationToken)
    {
        var deliveries = batch.Where(delivery => Takes(delivery.Routing)).ToArray();
        if (deliveries.Length == 0 || await TryStoreAsync(deliveries) is not { } batchError)
        {
            return;
        }

        if (await RefusesSampleAlikeAsync(deliveries, batchError))
        {
            // Phonic's own sample fails as the batch did, so the database refuses every such row whatever the
            // deliveries hold (a constraint or trigger added by hand, say): waited out as an outage, not dead-lettered.
            throw new StorageRefusedException(batchError);
        }

        // One by one, so that those PostgreSQL refuses for their own data are found and the rest stored.
        LogBatchFailed(logger, deliveries.Length, StorageOutage.Describe(batchError));
        var rejected = new List<RejectedDelivery>();
        foreach (var delivery in deliveries)
        {
            if (await TryStoreAsync([delivery]) is { } error)
            {
                await RejectUnlessStoredAsync(delivery, error, rejected, cancellationToken);
            }
        }

        // Reported only once the whole batch is decided: an outage found halfway rejects nothing.
        foreach (var (delivery, reason) in rejected)
        {
            await outcomes.RejectedAsync(delivery, reason, cancellationToken);
        }
    }

    /// <summary>
    /// A delivery that failed on its own is tried alone again, up to <see cref="WorkerOptions.MaxAttempts"/> times a
    /// little apart, before it is rejected: an error of its class can still be a race with another worker (two
    /// conversation.ended of one conversation merged at once), which the next attempt no longer meets.
    /// </summary>
    private async Task RejectUnlessStoredAsync(QueuedDelivery delivery, Exception error, List<RejectedDelivery> rejected, CancellationToken cancellationToken)
    {
        for (var attempt = 2; attempt <= options.Value.MaxAttempts; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), timeProvider, cancellationToken);
            if (await TryStoreAsync([delivery]) is not { } again)
            {
                return;
            }

            error = again;
        }

        rejected.Add(Rejection(delivery, error));
    }

    /// <summary>
    /// Whether PostgreSQL refuses Phonic's sample of an event type in the batch, stored and rolled back, as it refused
    /// the batch: whatever the batch holds, even a single delivery, this tells its data from the database's state.
    /// </summary>
    private async Task<bool> RefusesSampleAlikeAsync(IReadOnlyList<QueuedDelivery> deliveries, Exception batchError)
    {
        var eventTypes = deliveries.Select(delivery => PhonicEventTypes.IsKnown(delivery.EventType) ? delivery.EventType! : SampleEvents.DefaultEventType);
        foreach (var eventType in eventTypes.Distinct(StringComparer.Ordinal))
        {
            var now = timeProvider.GetUtcNow();
            var (conversationId, body) = SampleEvents.Create(eventType, now);
            try
            {
                await store.StoreAndRollBackAsync(new QueuedDelivery($"sample_{Guid.NewGuid():N}", eventType, conversationId, now, body));
            }
            catch (Exception sampleError) when (StorageOutage.IsEntryFailure(sampleError))
            {
                if (SameFailure(sampleError, batchError))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool SameFailure(Exception one, Exception other) => StorageOutage.Describe(one) == StorageOutage.Describe(other);

    private RejectedDelivery Rejection(QueuedDelivery delivery, Exception error)
    {
        var reason = StorageOutage.Describe(error);
        LogRejected(logger, delivery.SvixId, delivery.EventType, delivery.ConversationId, reason);
        return new RejectedDelivery(delivery, reason);
    }

    /// <summary>Stores the deliveries; returns the error of an entry's data, throws an outage.</summary>
    private async Task<Exception?> TryStoreAsync(IReadOnlyList<QueuedDelivery> deliveries)
    {
        try
        {
            await StoreAsync(deliveries);
            return null;
        }
        catch (Exception exception) when (StorageOutage.IsEntryFailure(exception))
        {
            return exception;
        }
    }

    private async Task StoreAsync(IReadOnlyList<QueuedDelivery> deliveries)
    {
        var started = timeProvider.GetTimestamp();
        using var batchActivity = DeliveryTracing.StartBatch(deliveries);

        // Once started, a transaction is finished rather than abandoned at shutdown: it is short, and a cancelled
        // one would only be redone by whichever worker claims the entries.
        var result = await store.StoreBatchAsync(deliveries, CancellationToken.None);
        health.StorageReachable();

        var committedAt = timeProvider.GetUtcNow();
        var stored = result.Stored.ToHashSet(StringComparer.Ordinal);
        foreach (var delivery in deliveries.Where(delivery => stored.Contains(delivery.SvixId)))
        {
            metrics.CommittedAfter(committedAt - delivery.ReceivedAt);
        }

        metrics.EventsStored(result.Stored.Count);
        metrics.DuplicatesSkipped(result.Duplicates.Count);
        DeliveryTracing.RecordProcessed(batchActivity, deliveries, started, timeProvider);
        LogStored(logger, result.Stored.Count, result.Duplicates.Count);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {Stored} webhook events ({Duplicates} duplicates skipped)")]
    private static partial void LogStored(ILogger logger, int stored, int duplicates);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} deliveries failed ({Error}); storing them one by one to isolate the cause")]
    private static partial void LogBatchFailed(ILogger logger, int count, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery {SvixId} ({EventType}, conversation {ConversationId}) cannot be stored: {Reason}")]
    private static partial void LogRejected(ILogger logger, string svixId, string? eventType, string? conversationId, string reason);
}
