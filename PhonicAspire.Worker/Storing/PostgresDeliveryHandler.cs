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
/// the rest are stored. An outage, or a failure that Phonic's own sample of the event type meets too (stored and
/// rolled back), is thrown: the drain loop keeps the whole batch pending and tries again.
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
        if (deliveries.Length == 0 || await TryStoreAsync(deliveries, cancellationToken) is not { } batchError)
        {
            return;
        }

        var sampleErrors = await SampleErrorsAsync(deliveries, cancellationToken);
        if (sampleErrors.Values.Any(sampleError => SameFailure(sampleError, batchError)))
        {
            throw new StorageRefusedException(batchError);
        }

        // One by one, so that those PostgreSQL refuses for their own data are found and the rest stored. Each failure
        // is tried again, a round at a time up to MaxAttempts, a little apart: an error of its class can still be a
        // race with another worker (two conversation.ended of one conversation merged at once), which the next
        // attempt no longer meets.
        LogBatchFailed(logger, deliveries.Length, StorageOutage.Describe(batchError));
        var failing = await StoreAloneAsync(deliveries, sampleErrors, cancellationToken);
        for (var attempt = 2; attempt <= options.Value.MaxAttempts && failing.Count > 0; attempt++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), timeProvider, cancellationToken);
            failing = await StoreAloneAsync([.. failing.Select(failed => failed.Delivery)], sampleErrors, cancellationToken);
        }

        // Reported only once the whole batch is decided: an outage found halfway rejects nothing.
        foreach (var (delivery, error) in failing)
        {
            await outcomes.RejectedAsync(delivery, LoggedRejectionReason(delivery, error), cancellationToken);
        }
    }

    /// <summary>
    /// Stores each delivery in a transaction of its own; returns those that failed, with their errors. One that fails
    /// as Phonic's sample of its event type did is refused for the database's state, not its own data, and throws.
    /// </summary>
    private async Task<List<(QueuedDelivery Delivery, Exception Error)>> StoreAloneAsync(
        IReadOnlyList<QueuedDelivery> deliveries, Dictionary<string, Exception> sampleErrors, CancellationToken cancellationToken)
    {
        var failing = new List<(QueuedDelivery, Exception)>();
        foreach (var delivery in deliveries)
        {
            if (await TryStoreAsync([delivery], cancellationToken) is not { } error)
            {
                continue;
            }

            if (sampleErrors.TryGetValue(SampleEventType(delivery), out var sampleError) && SameFailure(error, sampleError))
            {
                throw new StorageRefusedException(error);
            }

            failing.Add((delivery, error));
        }

        return failing;
    }

    /// <summary>
    /// What PostgreSQL says to Phonic's own sample of each event type in the batch, stored and rolled back, for those
    /// it refuses: a delivery failing as its type's sample does fails for the database's state (a constraint or
    /// trigger added by hand, say), which is waited out as an outage rather than dead-lettered. The comparison needs
    /// no other delivery, so it holds for a batch of one, or one made up of poison entries alone. A refusal that real
    /// deliveries meet and the sample does not (a constraint on a value only real traffic carries) is not seen.
    /// </summary>
    private async Task<Dictionary<string, Exception>> SampleErrorsAsync(IReadOnlyList<QueuedDelivery> deliveries, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, Exception>(StringComparer.Ordinal);
        foreach (var eventType in deliveries.Select(SampleEventType).Distinct(StringComparer.Ordinal))
        {
            var now = timeProvider.GetUtcNow();
            var (conversationId, body) = SampleEvents.Create(eventType, now);
            try
            {
                await store.StoreAndRollBackAsync(new QueuedDelivery($"sample_{Guid.NewGuid():N}", eventType, conversationId, now, body), cancellationToken);
            }
            catch (Exception sampleError) when (StorageOutage.IsEntryFailure(sampleError))
            {
                errors[eventType] = sampleError;
            }
        }

        return errors;
    }

    private static string SampleEventType(QueuedDelivery delivery) =>
        PhonicEventTypes.IsKnown(delivery.EventType) ? delivery.EventType! : SampleEvents.DefaultEventType;

    private static bool SameFailure(Exception one, Exception other) => StorageOutage.Describe(one) == StorageOutage.Describe(other);

    private string LoggedRejectionReason(QueuedDelivery delivery, Exception error)
    {
        var reason = StorageOutage.Describe(error);
        LogRejected(logger, delivery.SvixId, delivery.EventType, delivery.ConversationId, reason);
        return reason;
    }

    /// <summary>Stores the deliveries; returns the error of an entry's data, throws an outage.</summary>
    private async Task<Exception?> TryStoreAsync(IReadOnlyList<QueuedDelivery> deliveries, CancellationToken cancellationToken)
    {
        try
        {
            await StoreAsync(deliveries, cancellationToken);
            return null;
        }
        catch (Exception exception) when (StorageOutage.IsEntryFailure(exception))
        {
            return exception;
        }
    }

    private async Task StoreAsync(IReadOnlyList<QueuedDelivery> deliveries, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        using var batchActivity = DeliveryTracing.StartBatch(deliveries);

        // Cancelled only once a stop's grace is over (the token is the drain loop's), for a transaction that waits on
        // PostgreSQL (a lock someone holds, a server that stopped answering), which would otherwise hold the stop as
        // long as it waits. Rolled back, or committed with the answer lost, its entries stay pending and the next
        // attempt stores them, or finds them stored.
        var result = await store.StoreBatchAsync(deliveries, cancellationToken);
        health.StorageReachable();

        var committedAt = timeProvider.GetUtcNow();
        // An event an operator put back (a requeue, a replayed dead letter) keeps its first receipt time, days old
        // perhaps: what it measures is when the operator acted, not how long the pipeline took.
        foreach (var stored in result.Stored.Where(stored => !stored.Reprocess))
        {
            metrics.CommittedAfter(committedAt - stored.ReceivedAt);
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
