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
/// fails for a reason other than an outage, the entries are stored one by one so that a poison entry is isolated
/// and, after <see cref="WorkerOptions.MaxAttempts"/>, dead-lettered with its reason while the rest are stored.
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

        try
        {
            await StoreUntilOutageEndsAsync(deliveries, stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException && !StorageOutage.IsOutage(exception))
        {
            LogBatchFailed(logger, deliveries.Count, StorageOutage.Describe(exception));
            var byEntryId = entries.ToDictionary(entry => entry.Id.ToString());
            foreach (var delivery in deliveries)
            {
                await StoreAloneAsync(delivery, byEntryId[delivery.EntryId], stoppingToken);
            }
        }
    }

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
            catch (Exception exception) when (exception is not OperationCanceledException && !StorageOutage.IsOutage(exception))
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
            health.StorageUnreachable(StorageOutage.Describe(exception));
            throw;
        }
    }

    private async Task RetryDuringOutageAsync(Func<Task> operation, int count, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
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
