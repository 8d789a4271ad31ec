using Microsoft.Extensions.Options;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Resilience;
using Polly;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// The one loop that owns the webhook stream for a <see cref="DrainSubscription"/>: it reads new entries through
/// the subscription's consumer group in batches, claims entries abandoned by dead consumers once idle for
/// <see cref="WorkerOptions.ClaimIdleTime"/>, decodes them, hands them to the subscription's
/// <see cref="IDeliveryHandler"/>, then acknowledges what the handler finished and dead-letters what it rejected.
/// An entry is acknowledged only after its handler returned, so a crash anywhere loses nothing. Each process is a
/// consumer of its own, so replicas share the work.
/// </summary>
public sealed partial class StreamDrainService(
    DrainSubscription subscription,
    IConnectionMultiplexer redis,
    WebhookStreamClient streamStatus,
    [FromKeyedServices(OutageResilience.Key)] ResiliencePipeline outage,
    PhonicMetrics metrics,
    TimeProvider timeProvider,
    IOptions<WorkerOptions> options,
    ILogger<StreamDrainService> logger) : BackgroundService
{
    private static readonly TimeSpan MinIdleDelay = TimeSpan.FromMilliseconds(2);

    // After a stop, batches already taken get this long to be stored and acknowledged; what is not done by then
    // stays pending and is claimed by the next worker.
    private static readonly TimeSpan FinishingGrace = TimeSpan.FromSeconds(5);

    private readonly ConsumerGroupStream _stream = new(redis, subscription);
    private readonly IDeliveryHandler _handler = subscription.Handler;
    private bool _groupReady;
    private DateTimeOffset _nextClaim;
    private DateTimeOffset _nextStatus;

    public string ConsumerName { get; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The group first: from then on the stream keeps what this subscription has not read, however long the
        // handler takes to be ready (the storage's migrations, say).
        await outage.ExecuteAsync(async _ => await _stream.EnsureConsumerGroupAsync(), stoppingToken);
        _groupReady = true;
        await _handler.WaitUntilReadyAsync(stoppingToken);
        LogStarted(logger, subscription.Name, subscription.Group, ConsumerName);

        using var finishing = new CancellationTokenSource();
        await using var stopping = stoppingToken.Register(() => finishing.CancelAfter(FinishingGrace));
        var settings = options.Value;
        var inFlight = new List<Task>(settings.StoreConcurrency);
        var idleDelay = MinIdleDelay;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ObserveFinishedAsync(inFlight);
                var entries = await outage.ExecuteAsync(token => ReadAsync(finishing.Token, token), stoppingToken);
                if (entries.Length == 0)
                {
                    await Task.Delay(idleDelay, timeProvider, stoppingToken);
                    idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, settings.MaxIdleDelay.Ticks));
                    continue;
                }

                idleDelay = MinIdleDelay;
                inFlight.Add(DrainAsync(entries, finishing.Token));
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
            catch (Exception exception) when (StorageOutage.IsMissingConsumerGroup(exception))
            {
                LogGroupMissing(logger);
                _groupReady = false;
            }
        }

        // Batches already taken are finished (within the grace), so what they stored is also acknowledged.
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

    /// <summary>One turn of the loop's Redis work: the group, the metrics, the claims when due, then new entries.</summary>
    private async ValueTask<StreamEntry[]> ReadAsync(CancellationToken finishing, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!_groupReady)
        {
            await _stream.EnsureConsumerGroupAsync();
            _groupReady = true;
        }

        var now = timeProvider.GetUtcNow();
        if (subscription.ObservesStream && now >= _nextStatus)
        {
            metrics.StreamObserved(await streamStatus.GetStatusAsync());
            _nextStatus = now + settings.StatusInterval;
        }

        if (now >= _nextClaim)
        {
            await ClaimAbandonedAsync(finishing, stoppingToken);
            _nextClaim = now + settings.ClaimIdleTime / 2;
        }

        return await _stream.ReadNewAsync(ConsumerName, settings.BatchSize, settings.MaxBatchBytes);
    }

    private async Task ClaimAbandonedAsync(CancellationToken finishing, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        RedisValue cursor = "0-0";
        do
        {
            (var claimed, cursor) = await _stream.ClaimAbandonedAsync(ConsumerName, settings.ClaimIdleTime, settings.BatchSize, settings.MaxBatchBytes, cursor);
            if (claimed.Length == 0)
            {
                continue;
            }

            LogClaimed(logger, claimed.Length);

            // An entry delivered this often without being acknowledged has likely taken its workers down with it;
            // counted by Redis, so crashes count too.
            var deliveryCounts = await _stream.GetDeliveryCountsAsync(claimed);
            var crashing = claimed.Where(entry => deliveryCounts.GetValueOrDefault(entry.Id.ToString()) > settings.MaxAttempts).ToArray();
            foreach (var entry in crashing)
            {
                await DeadLetterAsync(entry, $"delivered {deliveryCounts[entry.Id.ToString()]} times without being stored", finishing);
            }

            await DrainAsync(claimed.Except(crashing).ToArray(), finishing);
        }
        while (cursor != "0-0" && !stoppingToken.IsCancellationRequested);
    }

    private async Task DrainAsync(IReadOnlyList<StreamEntry> entries, CancellationToken cancellationToken)
    {
        using var handled = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var keeping = KeepOwnershipAsync([.. entries.Select(entry => entry.Id)], handled.Token);
        try
        {
            await HandleAsync(entries, cancellationToken);
        }
        finally
        {
            await handled.CancelAsync();
            await keeping;
        }
    }

    /// <summary>
    /// While a batch takes longer than the claim idle time allows (a forwarding destination that is down, storage
    /// waiting out an outage), its entries are touched so that they are not claimed as abandoned and handled twice
    /// at once, nor counted as crashing.
    /// </summary>
    private async Task KeepOwnershipAsync(RedisValue[] entryIds, CancellationToken handled)
    {
        var interval = options.Value.ClaimIdleTime / 3;
        while (!handled.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, timeProvider, handled);
                await _stream.KeepAsync(ConsumerName, entryIds);
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

    private async Task HandleAsync(IReadOnlyList<StreamEntry> entries, CancellationToken cancellationToken)
    {
        // By reference: two entries can hold equal deliveries (a requeue of one still pending, say).
        var entryOf = new Dictionary<QueuedDelivery, StreamEntry>(entries.Count, ReferenceEqualityComparer.Instance);
        var deliveries = new List<QueuedDelivery>(entries.Count);
        foreach (var entry in entries)
        {
            try
            {
                var delivery = DeliveryEntry.Read(entry);
                entryOf[delivery] = entry;
                deliveries.Add(delivery);
            }
            catch (MalformedStreamEntryException exception)
            {
                await DeadLetterAsync(entry, exception.Message, cancellationToken);
            }
        }

        if (deliveries.Count == 0)
        {
            return;
        }

        var rejected = await outage.ExecuteAsync(
            async token => await _handler.HandleAsync(deliveries, token), cancellationToken);
        foreach (var rejection in rejected)
        {
            await DeadLetterAsync(entryOf[rejection.Delivery], rejection.Reason, cancellationToken);
            entryOf.Remove(rejection.Delivery);
        }

        var handled = entryOf.Values.Select(entry => entry.Id.ToString()).ToArray();
        await outage.ExecuteAsync(async _ => await _stream.AcknowledgeAsync(handled), cancellationToken);
    }

    private async Task DeadLetterAsync(StreamEntry entry, string reason, CancellationToken cancellationToken)
    {
        await outage.ExecuteAsync(async _ => await _stream.DeadLetterAsync(entry, reason), cancellationToken);
        if (subscription.ObservesStream)
        {
            metrics.DeadLettered();
        }
        LogDeadLettered(logger, entry.Id.ToString(), entry[WebhookStream.Fields.SvixId].ToString(), subscription.DeadLetterStream, reason);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining the webhook stream for {Subscription} in group {Group} as consumer {Consumer}")]
    private static partial void LogStarted(ILogger logger, string subscription, string group, string consumer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed {Count} entries abandoned by another consumer")]
    private static partial void LogClaimed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The consumer group is missing from Redis; creating it again")]
    private static partial void LogGroupMissing(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream entry {EntryId} (svix id {SvixId}) moved to {DeadLetterStream}: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string entryId, string svixId, string deadLetterStream, string reason);
}
