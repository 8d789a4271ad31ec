using System.Diagnostics;
using Microsoft.Extensions.Options;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Health;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Streaming;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Processing;

/// <summary>
/// Stores a batch of stream entries in one transaction and acknowledges them only after the commit. When the batch
/// fails for its data (SQLSTATE classes 22, 23, 54), the entries are stored one by one so that a poison entry is
/// isolated and, after <see cref="WorkerOptions.MaxAttempts"/>, dead-lettered with its reason while the rest are
/// stored. Any other failure, or one every entry shares, is an outage: everything stays pending and is retried.
/// </summary>
public sealed partial class DeliveryBatchProcessor(
    IServiceScopeFactory scopeFactory,
    WebhookStreamClient stream,
    StorageHealth health,
    PhonicMetrics metrics,
    TimeProvider timeProvider,
    IOptions<WorkerOptions> options,
    ILogger<DeliveryBatchProcessor> logger)
{
    private static readonly TimeSpan FirstOutageDelay = TimeSpan.FromMilliseconds(100);

    public async Task ProcessAsync(IReadOnlyList<StreamEntry> entries, CancellationToken stoppingToken)
    {
        var deliveries = new List<StreamDelivery>(entries.Count);
        foreach (var entry in entries)
        {
            try
            {
                deliveries.Add(StreamEntryReader.Read(entry));
            }
            catch (MalformedStreamEntryException exception)
            {
                await DeadLetterAsync(entry, exception.Message);
            }
        }

        if (deliveries.Count == 0)
        {
            return;
        }

        var byEntryId = entries.ToDictionary(entry => entry.Id.ToString());
        var delay = FirstOutageDelay;
        while (true)
        {
            try
            {
                await StoreUntilOutageEndsAsync(deliveries, stoppingToken);
                return;
            }
            catch (Exception batchError) when (StorageOutage.IsEntryFailure(batchError))
            {
                LogBatchFailed(logger, deliveries.Count, StorageOutage.Describe(batchError));
                if (await IsolateAsync(deliveries, byEntryId, batchError, stoppingToken))
                {
                    return;
                }

                // The batch, its first entry and the rest of it fail alike: the error is PostgreSQL's, not an
                // entry's. Wait it out like an outage, everything pending, rather than dead-letter a whole backlog.
                var reason = StorageOutage.Describe(batchError);
                health.StorageFailing(reason);
                LogOutage(logger, deliveries.Count, delay.TotalMilliseconds, reason);
                await Task.Delay(delay, timeProvider, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxOutageDelay.Ticks));
            }
        }
    }

    /// <summary>
    /// Stores the deliveries one by one so that an entry PostgreSQL rejects for its own data is found and, after
    /// <see cref="WorkerOptions.MaxAttempts"/>, dead-lettered while the others are stored. When the first entry on
    /// its own fails exactly as the batch did, the rest of the batch decides whether that entry or PostgreSQL is at
    /// fault; returns false (nothing dead-lettered) when the rest fails that way too.
    /// </summary>
    private async Task<bool> IsolateAsync(
        IReadOnlyList<StreamDelivery> deliveries, Dictionary<string, StreamEntry> byEntryId, Exception batchError, CancellationToken stoppingToken)
    {
        var first = deliveries[0];
        var rest = deliveries.Skip(1).ToArray();
        var firstError = await TryStoreAsync([first], stoppingToken);
        if (firstError is not null && rest.Length > 0 && SameFailure(firstError, batchError))
        {
            var restError = await TryStoreAsync(rest, stoppingToken);
            if (restError is not null && (SameFailure(restError, batchError) || !await IsolateAsync(rest, byEntryId, restError, stoppingToken)))
            {
                return false;
            }

            await StoreAloneAsync(first, byEntryId[first.EntryId], stoppingToken);
            return true;
        }

        if (firstError is not null)
        {
            await StoreAloneAsync(first, byEntryId[first.EntryId], stoppingToken);
        }

        foreach (var delivery in rest)
        {
            await StoreAloneAsync(delivery, byEntryId[delivery.EntryId], stoppingToken);
        }

        return true;
    }

    private async Task<Exception?> TryStoreAsync(IReadOnlyList<StreamDelivery> deliveries, CancellationToken stoppingToken)
    {
        try
        {
            await StoreUntilOutageEndsAsync(deliveries, stoppingToken);
            return null;
        }
        catch (Exception exception) when (StorageOutage.IsEntryFailure(exception))
        {
            return exception;
        }
    }

    private static bool SameFailure(Exception one, Exception other) => StorageOutage.Describe(one) == StorageOutage.Describe(other);

    private async Task StoreAloneAsync(StreamDelivery delivery, StreamEntry entry, CancellationToken stoppingToken)
    {
        using var scope = logger.BeginScope(new KeyValuePair<string, object?>[]
        {
            new("SvixId", delivery.Webhook.SvixId), new("EventType", delivery.Webhook.EventType), new("ConversationId", delivery.ConversationId),
        });

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StoreUntilOutageEndsAsync([delivery], stoppingToken);
                return;
            }
            catch (Exception exception) when (StorageOutage.IsEntryFailure(exception))
            {
                if (attempt >= options.Value.MaxAttempts)
                {
                    await DeadLetterAsync(entry, StorageOutage.Describe(exception));
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), timeProvider, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Stores the batch, retrying while PostgreSQL is unreachable (reporting unhealthy meanwhile), then acknowledges
    /// it, retrying while Redis is: the entries stay pending in Redis until both are done, so a crash anywhere here
    /// loses nothing. Other failures go back to the caller.
    /// </summary>
    private async Task StoreUntilOutageEndsAsync(IReadOnlyList<StreamDelivery> deliveries, CancellationToken stoppingToken)
    {
        var started = timeProvider.GetTimestamp();
        using var batchActivity = DeliveryTracing.StartBatch(deliveries);

        BatchStoreResult? result = null;
        await RetryDuringOutageAsync(async () => result = await StoreAsync(deliveries), deliveries.Count, stoppingToken);
        health.StorageReachable();
        var committedAt = timeProvider.GetUtcNow();

        await RetryDuringOutageAsync(
            () => stream.AcknowledgeAsync(deliveries.Select(delivery => delivery.EntryId).ToArray()), deliveries.Count, stoppingToken);

        var stored = result!.Stored.ToHashSet(StringComparer.Ordinal);
        foreach (var delivery in deliveries.Where(delivery => stored.Contains(delivery.Webhook.SvixId)))
        {
            metrics.CommittedAfter(committedAt - delivery.Webhook.ReceivedAt);
        }

        metrics.EventsStored(result.Stored.Count);
        metrics.DuplicatesSkipped(result.Duplicates.Count);
        DeliveryTracing.RecordProcessed(batchActivity, deliveries, started, timeProvider);
        LogStored(logger, result.Stored.Count, result.Duplicates.Count);
    }

    private async Task<BatchStoreResult> StoreAsync(IReadOnlyList<StreamDelivery> deliveries)
    {
        // Once started, a transaction is finished rather than abandoned at shutdown: it is short, and a cancelled
        // one would only be redone by whichever worker reclaims the entries.
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<WebhookEventStore>();
        try
        {
            return await store.StoreBatchAsync(deliveries.Select(delivery => delivery.Webhook).ToArray(), CancellationToken.None);
        }
        catch (Exception exception) when (StorageOutage.IsOutage(exception))
        {
            health.StorageFailing(StorageOutage.Describe(exception));
            throw;
        }
    }

    private async Task RetryDuringOutageAsync(Func<Task> operation, int count, CancellationToken stoppingToken)
    {
        var delay = FirstOutageDelay;
        while (true)
        {
            try
            {
                await operation();
                return;
            }
            catch (Exception exception) when (StorageOutage.IsOutage(exception))
            {
                LogOutage(logger, count, delay.TotalMilliseconds, StorageOutage.Describe(exception));
                await Task.Delay(delay, timeProvider, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxOutageDelay.Ticks));
            }
        }
    }

    public async Task DeadLetterAsync(StreamEntry entry, string reason)
    {
        await stream.DeadLetterAsync(entry, reason);
        metrics.DeadLettered();
        LogDeadLettered(logger, entry.Id.ToString(), reason);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {Stored} webhook events ({Duplicates} duplicates skipped)")]
    private static partial void LogStored(ILogger logger, int stored, int duplicates);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} entries failed ({Error}); storing them one by one to isolate the cause")]
    private static partial void LogBatchFailed(ILogger logger, int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL or Redis is unavailable ({Error}); {Count} entries stay pending, retrying in {DelayMs} ms")]
    private static partial void LogOutage(ILogger logger, int count, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream entry {EntryId} moved to the dead-letter stream: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string entryId, string reason);
}
