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
/// <see cref="WorkerOptions.ClaimIdleTime"/> (then removes those consumers from the group), and hands each batch to
/// its <see cref="EntryBatchProcessor"/>, as many at once as the subscription allows; at a stop it hands back what it
/// did not finish. Each process is a consumer of its own, so replicas share the work, and a crash anywhere loses
/// nothing: what was read and not acknowledged is claimed once idle.
/// </summary>
public sealed partial class StreamDrainService : BackgroundService
{
    private static readonly TimeSpan MinIdleDelay = TimeSpan.FromMilliseconds(2);

    // After a stop, batches already taken get this long to be stored and acknowledged; what is not done by then
    // is handed back for the next worker to claim.
    private static readonly TimeSpan FinishingGrace = TimeSpan.FromSeconds(5);

    // For the last read to end and the hand back's script call: while Redis is unreachable they would wait out the
    // client's timeout, and what is not handed back is claimed once idle anyway.
    private static readonly TimeSpan HandBackTimeout = TimeSpan.FromSeconds(2);

    private readonly DrainSubscription _subscription;
    private readonly WebhookStreamClient _streamStatus;
    private readonly ResiliencePipeline _outage;
    private readonly PhonicMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly IOptions<WorkerOptions> _options;
    private readonly ILogger<StreamDrainService> _logger;
    private readonly ConsumerGroupStream _stream;
    private readonly EntryBatchProcessor _batches;

    // With a delivery window, deliveries read and not yet reported, and their bytes, are what is counted; without, batches are.
    private readonly DeliveryWindow? _window;
    private readonly IConnectionMultiplexer _redis;
    private Task _lastRead = Task.CompletedTask;
    private bool _groupReady;
    private DateTimeOffset _nextClaim;
    private int _connectionLost;
    private RedisValue _claimCursor = StreamEntryIds.Start;
    private DateTimeOffset _nextStatus;

    // Not a primary constructor: the batch processor is made with the consumer's name and stream, which field
    // initializers cannot hand on.
    public StreamDrainService(
        DrainSubscription subscription,
        IConnectionMultiplexer redis,
        WebhookStreamClient streamStatus,
        [FromKeyedServices(OutageResilience.Key)] ResiliencePipeline outage,
        PhonicMetrics metrics,
        TimeProvider timeProvider,
        IOptions<WorkerOptions> options,
        ILogger<StreamDrainService> logger)
    {
        _subscription = subscription;
        _streamStatus = streamStatus;
        _outage = outage;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _options = options;
        _logger = logger;
        _redis = redis;
        _stream = new ConsumerGroupStream(redis, subscription);
        _window = subscription.DeliveryWindow is { } limits ? new DeliveryWindow(limits) : null;
        ConsumerName = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
        _batches = new EntryBatchProcessor(
            subscription, _stream, ConsumerName, _window, outage, metrics, timeProvider, options.Value.ClaimIdleTime, logger);
    }

    public string ConsumerName { get; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _redis.ConnectionFailed += OnConnectionFailed;
        try
        {
            await DrainAsync(stoppingToken);
        }
        finally
        {
            _redis.ConnectionFailed -= OnConnectionFailed;
        }
    }

    // Heard even while the loop waits for room (a full delivery window, whose slots free only as Redis acknowledges).
    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs args)
    {
        if (args.ConnectionType == ConnectionType.Interactive)
        {
            Volatile.Write(ref _connectionLost, 1);
        }
    }

    private async Task DrainAsync(CancellationToken stoppingToken)
    {
        // The group first: from then on the stream keeps what this subscription has not read, however long the
        // handler takes to be ready (the storage's migrations, say).
        await _outage.ExecuteAsync(async _ => await _stream.EnsureConsumerGroupAsync(ConsumerName), stoppingToken);
        _groupReady = true;
        await _subscription.Handler.WaitUntilReadyAsync(stoppingToken);
        LogStarted(_logger, _subscription.Name, _subscription.Group, ConsumerName);

        using var finishing = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _timeProvider);
        await using var stopping = stoppingToken.Register(() => finishing.CancelAfter(FinishingGrace));
        var settings = _options.Value;
        var inFlight = new List<Task>(settings.StoreConcurrency);
        var idleDelay = MinIdleDelay;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ObserveFinishedAsync(inFlight);
                var room = await WaitForRoomAsync(inFlight, stoppingToken);
                var (entries, handledAlone) = await _outage.ExecuteAsync(token => ReadUnlessStoppedAsync(room, finishing.Token, token), stoppingToken);
                var bytes = _window is null ? 0 : entries.Sum(DeliveryWindow.SizeOf);
                if (entries.Length == 0)
                {
                    await Task.Delay(idleDelay, _timeProvider, stoppingToken);
                    idleDelay = TimeSpan.FromTicks(Math.Min(idleDelay.Ticks * 2, settings.MaxIdleDelay.Ticks));
                    continue;
                }

                idleDelay = MinIdleDelay;
                _window?.Take(entries.Length, bytes);
                if (handledAlone)
                {
                    await DrainAloneAsync(inFlight, entries, bytes, finishing.Token, stoppingToken);
                    continue;
                }

                inFlight.Add(_batches.ProcessAsync(entries, bytes, finishing.Token));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception) when (StorageOutage.IsMissingConsumerGroup(exception))
            {
                LogGroupMissing(_logger);
                _groupReady = false;
            }
        }

        // Batches already taken are finished (within the grace), so what they stored is also acknowledged.
        await Task.WhenAll(inFlight).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await HandBackUnfinishedAsync();
    }

    /// <summary>
    /// What is still pending here was cut short by the stop, not tried and failed: it goes back as though this worker
    /// had never taken it. Otherwise every deploy during a long outage would count as a delivery towards
    /// <see cref="WorkerOptions.MaxAttempts"/> and dead-letter healthy entries; and the next worker takes them at once
    /// instead of after <see cref="WorkerOptions.ClaimIdleTime"/>. This consumer then leaves the group.
    /// </summary>
    private async Task HandBackUnfinishedAsync()
    {
        try
        {
            if (await HandBackAfterLastReadAsync().WaitAsync(HandBackTimeout, _timeProvider) is > 0 and var handedBack)
            {
                LogHandedBack(_logger, handedBack);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // They stay pending and counted, to be claimed once idle, as after a crash.
            LogHandBackFailed(_logger, exception.GetType().Name);
        }
    }

    // A read the stop abandoned may still take entries: they are this consumer's, to be handed back with the rest.
    private async Task<int> HandBackAfterLastReadAsync()
    {
        await _lastRead.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return await _stream.HandBackAsync(ConsumerName, _options.Value.ClaimIdleTime);
    }

    /// <summary>
    /// Handles an entry whose batches took workers down twice with nothing else of this subscription's in flight, so
    /// that a third crash counts against it alone. For a while only: waiting longer for the batches ahead of it would
    /// leave it claimed and untended, for another replica to claim and count again, and one that hangs rather than
    /// crashes (on a row lock held for hours, say) must not hold the whole drain. Failures of the batches are
    /// surfaced by the loop, as ever.
    /// </summary>
    private async Task DrainAloneAsync(List<Task> inFlight, StreamEntry[] entries, long bytes, CancellationToken finishing, CancellationToken stoppingToken)
    {
        var claimIdleTime = _options.Value.ClaimIdleTime;
        await Task.WhenAll(inFlight).WaitAsync(claimIdleTime / 3, _timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        // Not started at a stop: still pending, it is handed back with the rest.
        stoppingToken.ThrowIfCancellationRequested();
        var draining = _batches.ProcessAsync(entries, bytes, finishing);
        inFlight.Add(draining);
        await draining.WaitAsync(claimIdleTime, _timeProvider, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
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

    /// <summary>
    /// Waits until another read may start, and returns how many entries, and bytes of them, it may take: without a delivery window,
    /// until fewer than <see cref="WorkerOptions.StoreConcurrency"/> batches are in flight (the storage, whose
    /// transactions each hold a connection); with one, until a delivery has left it and its bytes are under the bound
    /// (forwarding, where a delivery its destination keeps failing holds its own share and not its batch's).
    /// </summary>
    private async Task<ReadRoom> WaitForRoomAsync(List<Task> inFlight, CancellationToken stoppingToken)
    {
        var batchSize = _options.Value.BatchSize;
        var batchBytes = _options.Value.MaxBatchBytes;
        if (_window is null)
        {
            while (inFlight.Count >= _options.Value.StoreConcurrency)
            {
                var finished = await Task.WhenAny(inFlight);
                inFlight.Remove(finished);
                await finished;
            }

            return new(batchSize, batchBytes);
        }

        var (deliveries, bytes) = await _window.WaitForRoomAsync(stoppingToken);
        return new(Math.Min(batchSize, deliveries), Math.Min(batchBytes, bytes));
    }

    /// <summary>
    /// <see cref="ReadAsync"/>, given up at the stop: a Redis command takes no token, and while Redis is down one would
    /// hold the stop for the client's timeout. The read itself goes on; the hand back waits for it.
    /// </summary>
    private async ValueTask<TakenEntries> ReadUnlessStoppedAsync(ReadRoom room, CancellationToken finishing, CancellationToken stoppingToken)
    {
        var reading = ReadAsync(room, finishing, stoppingToken).AsTask();
        _lastRead = reading;
        return await reading.WaitAsync(stoppingToken);
    }

    /// <summary>
    /// One turn of the loop's Redis work, and after the connection to Redis was lost, no claims for a whole claim idle
    /// time from the first turn that works again: while it was down no batch could touch its entries, so they look
    /// abandoned once it is back, this worker's own forwards still being retried among them. Claimed then, each would
    /// be handled twice at once and counted as crashing; each batch touches its entries again within a third of the
    /// claim idle time. A timeout alone defers nothing: Redis was there, and so were the batches' touches.
    /// </summary>
    private async ValueTask<TakenEntries> ReadAsync(ReadRoom room, CancellationToken finishing, CancellationToken stoppingToken)
    {
        var claimIdleTime = _options.Value.ClaimIdleTime;
        if (Volatile.Read(ref _connectionLost) == 1)
        {
            _nextClaim = _timeProvider.GetUtcNow() + claimIdleTime;
        }

        try
        {
            var taken = await ReadOrClaimAsync(room, finishing, stoppingToken);
            if (Interlocked.Exchange(ref _connectionLost, 0) == 1)
            {
                _nextClaim = _timeProvider.GetUtcNow() + claimIdleTime;
            }

            return taken;
        }
        catch (RedisConnectionException)
        {
            Volatile.Write(ref _connectionLost, 1);
            throw;
        }
    }

    /// <summary>The group, the metrics, abandoned entries when due, else new ones.</summary>
    private async ValueTask<TakenEntries> ReadOrClaimAsync(ReadRoom room, CancellationToken finishing, CancellationToken stoppingToken)
    {
        var settings = _options.Value;
        if (!_groupReady)
        {
            await _stream.EnsureConsumerGroupAsync(ConsumerName);
            _groupReady = true;
        }

        var now = _timeProvider.GetUtcNow();
        if (_subscription.ObservesStream && now >= _nextStatus)
        {
            await ObserveStreamAsync(stoppingToken);
            _nextStatus = now + settings.StatusInterval;
        }

        if (now >= _nextClaim)
        {
            var claimed = await ClaimAbandonedAsync(room, finishing, stoppingToken);
            if (claimed.Entries.Length > 0)
            {
                return claimed;
            }

            // Claims are done for now, so a consumer that died that long ago holds nothing any more and can leave the
            // group (the script removes only consumers holding nothing).
            if (await _stream.ForgetIdleConsumersAsync(ConsumerName, settings.ClaimIdleTime) is > 0 and var forgotten)
            {
                LogForgotten(_logger, forgotten, settings.ClaimIdleTime, _subscription.Group);
            }

            _nextClaim = now + settings.ClaimIdleTime / 2;
        }

        // Past the stop a read takes nothing new: it would only be handed back.
        stoppingToken.ThrowIfCancellationRequested();
        return new(await _stream.ReadNewAsync(ConsumerName, room.Entries, room.Bytes, stoppingToken));
    }

    /// <summary>
    /// The stream's length, pending entries and dead letters, for the metrics. A refusal of Redis's own (WRONGTYPE on a
    /// key set by hand, say) is logged and measured again at the next interval: the metrics must not hold the drain,
    /// and a dead-letter key alone must not blind the others. An outage or a missing group is thrown, as in every other step.
    /// </summary>
    private async Task ObserveStreamAsync(CancellationToken stoppingToken)
    {
        try
        {
            var status = await _streamStatus.GetStatusAsync(stoppingToken);
            _metrics.StreamObserved(status);
            if (status.DeadLettersUnmeasured is { } refusal)
            {
                LogDeadLettersUnmeasured(_logger, WebhookStream.DeadLetterName, refusal, _options.Value.StatusInterval);
            }
        }
        catch (RedisServerException exception) when (!StorageOutage.IsOutage(exception) && !StorageOutage.IsMissingConsumerGroup(exception))
        {
            LogObservationFailed(_logger, StorageOutage.Describe(exception), _options.Value.StatusInterval);
        }
    }

    /// <summary>
    /// The next page of entries abandoned by dead consumers, handled like new ones; the pages of one round are taken
    /// one turn of the loop at a time, and an empty result ends the round. An entry claimed before and abandoned again
    /// comes in a page of its own (<see cref="ConsumerGroupScripts.Claim"/>), and without a delivery window it is
    /// handled alone. With one it is not: a forward its destination keeps failing stays in flight for hours, and the
    /// deliveries a worker forwards only pass bodies on.
    /// </summary>
    private async Task<TakenEntries> ClaimAbandonedAsync(ReadRoom room, CancellationToken finishing, CancellationToken stoppingToken)
    {
        var settings = _options.Value;
        do
        {
            (var claimed, _claimCursor) = await _stream.ClaimAbandonedAsync(ConsumerName, settings.ClaimIdleTime, room.Entries, room.Bytes, _claimCursor);
            if (claimed.Length == 0)
            {
                continue;
            }

            LogClaimed(_logger, claimed.Length);

            // An entry delivered this often without being acknowledged has likely taken its workers down with it;
            // counted by Redis, so crashes count too.
            foreach (var crashing in claimed.Where(claim => claim.DeliveryCount > settings.MaxAttempts))
            {
                await _batches.DeadLetterAsync(crashing.Entry, $"delivered {crashing.DeliveryCount} times without being stored", finishing);
            }

            if (claimed.Where(claim => claim.DeliveryCount <= settings.MaxAttempts).ToArray() is { Length: > 0 } abandoned)
            {
                var abandonedAgain = abandoned is [{ DeliveryCount: > 2 }];
                return new([.. abandoned.Select(claim => claim.Entry)], HandledAlone: abandonedAgain && _window is null);
            }
        }
        while (_claimCursor != StreamEntryIds.Start && !stoppingToken.IsCancellationRequested);

        return TakenEntries.None;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Draining the webhook stream for {Subscription} in group {Group} as consumer {Consumer}")]
    private static partial void LogStarted(ILogger logger, string subscription, string group, string consumer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Claimed {Count} entries abandoned by another consumer")]
    private static partial void LogClaimed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {Count} consumers that held nothing and had been quiet for {IdleTime} from group {Group}, as a dead worker's are")]
    private static partial void LogForgotten(ILogger logger, int count, TimeSpan idleTime, string group);

    [LoggerMessage(Level = LogLevel.Information, Message = "Handed back {Count} entries not finished before the stop, for the next worker to take at once")]
    private static partial void LogHandedBack(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not hand back the entries not finished before the stop ({Error}); they are claimed once idle")]
    private static partial void LogHandBackFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not measure the webhook stream for the metrics ({Error}); measuring again in {Interval}")]
    private static partial void LogObservationFailed(ILogger logger, string error, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not count the dead letters in {DeadLetterStream} ({Error}); the stream's other gauges go on, and the dead letters are counted again in {Interval}")]
    private static partial void LogDeadLettersUnmeasured(ILogger logger, string deadLetterStream, string error, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The consumer group is missing from Redis; creating it again")]
    private static partial void LogGroupMissing(ILogger logger);

    /// <summary>How many entries, and bytes of them, the next read may take.</summary>
    private readonly record struct ReadRoom(int Entries, long Bytes);
}
