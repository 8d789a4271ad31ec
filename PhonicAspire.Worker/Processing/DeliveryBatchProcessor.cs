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
            LogBatchFailed(logger, deliveries.Count, exception.GetType().Name);
            var byEntryId = entries.ToDictionary(entry => entry.Id.ToString());
            foreach (var delivery in deliveries)
            {
                await StoreAloneAsync(delivery, byEntryId[delivery.EntryId], stoppingToken);
            }
        }
    }

    private async Task StoreAloneAsync(StreamDelivery delivery, StreamEntry entry, CancellationToken stoppingToken)
    {
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
                    await DeadLetterAsync(entry, $"{exception.GetType().Name}: {exception.Message}");
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), timeProvider, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Retries while PostgreSQL is unreachable, reporting unhealthy meanwhile; the entries stay pending in Redis
    /// throughout, so a crash here loses nothing. Other failures go back to the caller.
    /// </summary>
    private async Task StoreUntilOutageEndsAsync(IReadOnlyList<StreamDelivery> deliveries, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await StoreAsync(deliveries);
                health.StorageReachable();
                return;
            }
            catch (Exception exception) when (StorageOutage.IsOutage(exception))
            {
                health.StorageUnreachable(exception.Message);
                LogOutage(logger, deliveries.Count, delay.TotalMilliseconds, exception.GetType().Name);
                await Task.Delay(delay, timeProvider, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.MaxOutageDelay.Ticks));
            }
        }
    }

    private async Task StoreAsync(IReadOnlyList<StreamDelivery> deliveries)
    {
        var started = timeProvider.GetTimestamp();
        using var batchActivity = DeliveryTracing.StartBatch(deliveries);

        // Once started, a batch is finished rather than abandoned at shutdown: the transaction is short, and a
        // cancelled one would only be redone by whichever worker reclaims the entries.
        await using var scope = scopeFactory.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<WebhookEventStore>();
        var result = await store.StoreBatchAsync(deliveries.Select(delivery => delivery.Webhook).ToArray(), CancellationToken.None);
        await stream.AcknowledgeAsync(deliveries.Select(delivery => delivery.EntryId).ToArray());

        var committedAt = timeProvider.GetUtcNow();
        foreach (var delivery in deliveries)
        {
            metrics.CommittedAfter(committedAt - delivery.Webhook.ReceivedAt);
        }

        metrics.EventsStored(result.Stored.Count);
        metrics.DuplicatesSkipped(result.Duplicates.Count);
        DeliveryTracing.RecordProcessed(batchActivity, deliveries, started, timeProvider);
        LogStored(logger, result.Stored.Count, result.Duplicates.Count);
    }

    private async Task DeadLetterAsync(StreamEntry entry, string reason)
    {
        await stream.DeadLetterAsync(entry, reason);
        metrics.DeadLettered();
        LogDeadLettered(logger, entry.Id.ToString(), reason);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stored {Stored} webhook events ({Duplicates} duplicates skipped)")]
    private static partial void LogStored(ILogger logger, int stored, int duplicates);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} entries failed ({Error}); storing them one by one to isolate the cause")]
    private static partial void LogBatchFailed(ILogger logger, int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is unreachable ({Error}); {Count} entries stay pending, retrying in {DelayMs} ms")]
    private static partial void LogOutage(ILogger logger, int count, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream entry {EntryId} moved to the dead-letter stream: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string entryId, string reason);
}
