using Microsoft.Extensions.Options;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Health;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Processing;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Streaming;

/// <summary>
/// Drains the webhook stream through the consumer group: new entries in batches, and entries abandoned by dead
/// consumers once they have been idle for <see cref="WorkerOptions.ClaimIdleTime"/>. Each process is a consumer of
/// its own, so replicas share the work.
/// </summary>
public sealed partial class WebhookStreamConsumer(
    WebhookStreamClient stream,
    DeliveryBatchProcessor processor,
    DatabaseMigrator migrator,
    StorageHealth health,
    PhonicMetrics metrics,
    TimeProvider timeProvider,
    IOptions<WorkerOptions> options,
    ILogger<WebhookStreamConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan MinIdleDelay = TimeSpan.FromMilliseconds(2);

    public string ConsumerName { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await migrator.MigrateAsync(stoppingToken);
        health.StorageReachable();
        LogStarted(logger, ConsumerName);

        var settings = options.Value;
        var inFlight = new List<Task>(settings.StoreConcurrency);
        var idleDelay = MinIdleDelay;
        var outageDelay = TimeSpan.FromMilliseconds(100);
        var nextClaim = timeProvider.GetUtcNow();
        var nextStatus = nextClaim;
        var groupReady = false;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ObserveFinishedAsync(inFlight);
                if (!groupReady)
                {
                    await stream.EnsureConsumerGroupAsync();
                    groupReady = true;
                }

                var now = timeProvider.GetUtcNow();
                if (now >= nextStatus)
                {
                    metrics.StreamObserved(await stream.GetStatusAsync());
                    nextStatus = now + settings.StatusInterval;
                }

                if (now >= nextClaim)
                {
                    await ClaimAbandonedAsync(stoppingToken);
                    nextClaim = now + settings.ClaimIdleTime / 2;
                }

                var entries = await stream.ReadNewAsync(ConsumerName, settings.BatchSize);
                outageDelay = TimeSpan.FromMilliseconds(100);
                if (entries.Length == 0)
                {
                    await Task.Delay(idleDelay, timeProvider, stoppingToken);
                    idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, settings.MaxIdleDelay.Ticks));
                    continue;
                }

                idleDelay = MinIdleDelay;
                inFlight.Add(processor.ProcessAsync(entries, stoppingToken));
                if (inFlight.Count >= settings.StoreConcurrency)
                {
                    var finished = await Task.WhenAny(inFlight);
                    inFlight.Remove(finished);
                    await finished;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (WebhookStreamClient.IsMissingGroup(exception))
            {
                LogGroupMissing(logger);
                groupReady = false;
            }
            catch (Exception exception)
            {
                // An outage is waited out; anything else is logged and retried too, rather than ending the process
                // while the API keeps accepting: the entries stay pending in Redis either way.
                if (StorageOutage.IsOutage(exception))
                {
                    LogRedisOutage(logger, outageDelay.TotalMilliseconds, StorageOutage.Describe(exception));
                }
                else
                {
                    // PostgreSQL's own messages can quote stored values, so only its error code is logged.
                    LogUnexpected(logger, outageDelay.TotalMilliseconds, StorageOutage.Describe(exception),
                        exception is Npgsql.PostgresException ? null : exception);
                }

                await Task.Delay(outageDelay, timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                outageDelay = TimeSpan.FromTicks(Math.Min(outageDelay.Ticks * 2, settings.MaxOutageDelay.Ticks));
            }
        }

        // Batches already reading from PostgreSQL are finished, so what they stored is also acknowledged.
        await Task.WhenAll(inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // Surfaces the failure of a batch that finished while the loop was busy elsewhere.
    private static async Task ObserveFinishedAsync(List<Task> inFlight)
    {
        foreach (var finished in inFlight.Where(task => task.IsCompleted).ToArray())
        {
            inFlight.Remove(finished);
            await finished;
        }
    }

    private async Task ClaimAbandonedAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        RedisValue cursor = "0-0";
        do
        {
            (var claimed, cursor) = await stream.ClaimAbandonedAsync(ConsumerName, settings.ClaimIdleTime, settings.BatchSize, cursor);
            if (claimed.Length == 0)
            {
                continue;
            }

            LogClaimed(logger, claimed.Length);

            // An entry delivered this often without being acknowledged has likely taken its workers down with it;
            // counted by Redis, so crashes count too, unlike the attempts a live worker makes.
            var deliveryCounts = await stream.GetDeliveryCountsAsync(claimed);
            var crashing = claimed.Where(entry => deliveryCounts.GetValueOrDefault(entry.Id.ToString()) > settings.MaxAttempts).ToArray();
            foreach (var entry in crashing)
            {
                await processor.DeadLetterAsync(entry, $"delivered {deliveryCounts[entry.Id.ToString()]} times without being stored");
            }

            await processor.ProcessAsync(claimed.Except(crashing).ToArray(), stoppingToken);
        }
        while (cursor != "0-0" && !stoppingToken.IsCancellationRequested);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining the webhook stream as consumer {Consumer}")]
    private static partial void LogStarted(ILogger logger, string consumer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed {Count} entries abandoned by another consumer")]
    private static partial void LogClaimed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis or PostgreSQL is unavailable ({Error}); retrying in {DelayMs} ms")]
    private static partial void LogRedisOutage(ILogger logger, double delayMs, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The consumer group is missing from Redis; creating it again")]
    private static partial void LogGroupMissing(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Draining the stream failed unexpectedly ({Error}); retrying in {DelayMs} ms")]
    private static partial void LogUnexpected(ILogger logger, double delayMs, string error, Exception? exception);
}
