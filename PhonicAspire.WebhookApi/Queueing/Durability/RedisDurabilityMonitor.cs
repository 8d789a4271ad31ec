using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PhonicAspire.WebhookApi.Configuration;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Queueing.Durability;

/// <summary>
/// Reads Redis's durability settings at start-up, every <see cref="WebhookOptions.DurabilityCheckInterval"/>, and at
/// once whenever the connection to Redis fails or is restored. While they could lose what the API acknowledges,
/// deliveries are refused with 503 (Svix retries them) and <c>/health</c> names the setting, unless the operator
/// accepted a weaker Redis with <see cref="WebhookOptions.AcceptNonDurableRedis"/>.
/// </summary>
public sealed partial class RedisDurabilityMonitor(
    IConnectionMultiplexer redis,
    RedisDurabilityProbe probe,
    IOptions<WebhookOptions> options,
    TimeProvider timeProvider,
    ILogger<RedisDurabilityMonitor> logger) : BackgroundService, IHealthCheck
{
    // Until Redis has answered, it is tried again this often rather than every DurabilityCheckInterval: every
    // delivery is refused meanwhile.
    private static readonly TimeSpan FirstReadingRetryDelay = TimeSpan.FromSeconds(1);

    // A reading holds only for the connection it was read over: the server behind the address may be another one
    // since (a restart with other settings, a failover). The client's events count each failure and restoration. It
    // raises them on the thread pool just after it has reconnected, so an append in those moments is still judged on
    // the reading before. Its count of sockets opened, which rises first, was tried instead: it also rises with every
    // failed attempt to reach an endpoint that is down (a replica listed in the connection string), which would
    // refuse deliveries for as long as that endpoint stays down.
    private int _connectionChanges;
    private volatile Reading _reading = new(RedisDurabilityReport.NotChecked, ConnectionChanges: 0);
    private readonly SemaphoreSlim _readAgain = new(0, 1);

    /// <summary>
    /// How many times the connection to Redis has failed or been restored: an acknowledgement holds only if this is
    /// the same after its append as when its delivery was allowed (<see cref="AllowsAcknowledgingSince"/>).
    /// </summary>
    public int ConnectionChanges => Volatile.Read(ref _connectionChanges);

    /// <summary>Read on every delivery: volatile reads, no Redis call.</summary>
    public bool AllowsAcknowledging => Current.IsDurable || options.Value.AcceptNonDurableRedis;

    /// <summary>
    /// Whether Redis has answered over the connection the API has now; until then it is unreachable, whatever its
    /// settings.
    /// </summary>
    public bool HasReadRedis => Current != RedisDurabilityReport.NotChecked;

    /// <summary>
    /// Whether an append made since <paramref name="connectionChanges"/> (read before <see cref="AllowsAcknowledging"/>
    /// allowed its delivery) may be acknowledged: not if the connection changed in between, as it then may have gone
    /// to a server whose settings have not been read.
    /// </summary>
    public bool AllowsAcknowledgingSince(int connectionChanges) =>
        options.Value.AcceptNonDurableRedis || (ConnectionChanges == connectionChanges && Current.IsDurable);

    private RedisDurabilityReport Current
    {
        get
        {
            var changes = ConnectionChanges;
            var reading = _reading;
            return reading.ConnectionChanges == changes ? reading.Report : RedisDurabilityReport.NotChecked;
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = Current;
        return Task.FromResult(report.IsDurable ? HealthCheckResult.Healthy(report.ToString())
            : options.Value.AcceptNonDurableRedis ? HealthCheckResult.Degraded($"Accepted by Phonic:AcceptNonDurableRedis: {report}")
            : HealthCheckResult.Unhealthy($"Deliveries are refused with 503: {report}"));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.AcceptNonDurableRedis)
        {
            LogAcceptedAtStartup(logger);
        }

        redis.ConnectionFailed += OnConnectionChanged;
        redis.ConnectionRestored += OnConnectionChanged;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await ReadAsync(stoppingToken);
                await WaitForNextReadingAsync(stoppingToken);
            }
        }
        finally
        {
            redis.ConnectionFailed -= OnConnectionChanged;
            redis.ConnectionRestored -= OnConnectionChanged;
        }
    }

    private async Task ReadAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Taken before the reading, so that a reading under way when the connection changes holds for none.
            var changes = ConnectionChanges;
            var previous = Current;
            var report = await probe.ReadAsync().WaitAsync(stoppingToken);
            _reading = new Reading(report, changes);
            if (report.ToString() != previous.ToString())
            {
                LogChanged(report, previous);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Redis is away: deliveries get 503 from the queue itself; the last reading stands while the connection it
            // was read over does.
            LogUnreadable(logger, exception.GetType().Name);
        }
    }

    private async Task WaitForNextReadingAsync(CancellationToken stoppingToken)
    {
        using var interval = new CancellationTokenSource(HasReadRedis ? options.Value.DurabilityCheckInterval : FirstReadingRetryDelay, timeProvider);
        using var intervalOrStop = CancellationTokenSource.CreateLinkedTokenSource(interval.Token, stoppingToken);
        await _readAgain.WaitAsync(intervalOrStop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // Runs on the Redis client's thread: counts the change, which voids the reading, and wakes the next one.
    private void OnConnectionChanged(object? sender, ConnectionFailedEventArgs args)
    {
        if (args.ConnectionType != ConnectionType.Interactive)
        {
            return;
        }

        Interlocked.Increment(ref _connectionChanges);
        LogReadingAgain(logger, args.FailureType.ToString());
        try
        {
            _readAgain.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another change has woken the reading already.
        }
    }

    private sealed record Reading(RedisDurabilityReport Report, int ConnectionChanges);

    private void LogChanged(RedisDurabilityReport report, RedisDurabilityReport previous)
    {
        if (report.IsDurable)
        {
            LogDurable(logger, previous == RedisDurabilityReport.NotChecked ? "verified" : "restored");
        }
        else if (options.Value.AcceptNonDurableRedis)
        {
            LogAcceptedWeakness(logger, report.ToString());
        }
        else
        {
            LogRefusing(logger, report.ToString());
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Phonic:AcceptNonDurableRedis is on: webhooks are acknowledged even when Redis's settings could lose them; what can be lost follows once Redis is read")]
    private static partial void LogAcceptedAtStartup(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis durability {Change}: AOF on, fsync on every write, no eviction")]
    private static partial void LogDurable(ILogger logger, string change);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Acknowledging on a Redis that can lose webhooks, as Phonic:AcceptNonDurableRedis allows: {Problems}")]
    private static partial void LogAcceptedWeakness(ILogger logger, string problems);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refusing deliveries with 503 until Redis is durable: {Problems}")]
    private static partial void LogRefusing(ILogger logger, string problems);

    [LoggerMessage(Level = LogLevel.Information, Message = "The connection to Redis changed ({Change}): its durability settings are read again before the next acknowledgement")]
    private static partial void LogReadingAgain(ILogger logger, string change);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis's durability settings could not be read ({Error}); the last reading stands while its connection does")]
    private static partial void LogUnreadable(ILogger logger, string error);
}
