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

    private volatile RedisDurabilityReport _report = RedisDurabilityReport.NotChecked;

    // Counts the connection's failures and restorations: a reading begun before one may describe the server before it.
    private int _connectionChanges;
    private readonly SemaphoreSlim _readAgain = new(0, 1);

    /// <summary>Read on every delivery: a volatile read, no Redis call.</summary>
    public bool AllowsAcknowledging => _report.IsDurable || options.Value.AcceptNonDurableRedis;

    /// <summary>
    /// Whether Redis has answered since the API last connected to it; until then it is unreachable, whatever its
    /// settings.
    /// </summary>
    public bool HasReadRedis => _report != RedisDurabilityReport.NotChecked;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var report = _report;
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
            var changesBefore = Volatile.Read(ref _connectionChanges);
            var report = await probe.ReadAsync().WaitAsync(stoppingToken);
            if (Volatile.Read(ref _connectionChanges) != changesBefore)
            {
                // The connection failed or came back while this reading was under way: the next one is already due.
                return;
            }

            var previous = _report;
            _report = report;
            if (report.ToString() != previous.ToString())
            {
                LogChanged(report, previous);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Redis is away: deliveries get 503 from the queue itself; the last reading stands.
            LogUnreadable(logger, exception.GetType().Name);
        }
    }

    private async Task WaitForNextReadingAsync(CancellationToken stoppingToken)
    {
        using var interval = new CancellationTokenSource(HasReadRedis ? options.Value.DurabilityCheckInterval : FirstReadingRetryDelay, timeProvider);
        using var intervalOrStop = CancellationTokenSource.CreateLinkedTokenSource(interval.Token, stoppingToken);
        await _readAgain.WaitAsync(intervalOrStop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    // What was read describes the server the connection had: after a restart, or a failover to a replica, the one it
    // reaches now may keep nothing on disk. Nothing is acknowledged until that one has been read.
    private void OnConnectionChanged(object? sender, ConnectionFailedEventArgs args)
    {
        if (args.ConnectionType != ConnectionType.Interactive)
        {
            return;
        }

        Interlocked.Increment(ref _connectionChanges);
        _report = RedisDurabilityReport.NotChecked;
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis's durability settings could not be read ({Error}); keeping the last reading")]
    private static partial void LogUnreadable(ILogger logger, string error);
}
