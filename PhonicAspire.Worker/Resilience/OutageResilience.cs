using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using PhonicAspire.Worker.Configuration;
using Polly;
using Polly.Retry;

namespace PhonicAspire.Worker.Resilience;

/// <summary>
/// The worker's one way of riding out failures. Every step that talks to Redis or PostgreSQL (reading the stream,
/// storing a batch, acknowledging, dead-lettering, migrating) runs in this pipeline: retried with the same growing
/// back-off up to <see cref="WorkerOptions.MaxOutageDelay"/> and logged here. PostgreSQL's failures are reported on
/// <c>/health</c> as <c>storage</c>, a refusal of Redis's own that recurs as <c>drain</c>; Redis unreachable is
/// left to Redis's own check. The entries stay pending in Redis meanwhile, so waiting loses nothing. Not retried:
/// cancellation at shutdown, a missing consumer group, which the drain loop creates again, and a
/// <see cref="PermanentFailureException"/>.
/// </summary>
public static partial class OutageResilience
{
    /// <summary>The key of the pipeline, injected as <c>[FromKeyedServices(OutageResilience.Key)] ResiliencePipeline</c>.</summary>
    public const string Key = "phonic-outage";

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>Registers the pipeline and the <c>storage</c> and <c>drain</c> health checks it reports to, once however often called.</summary>
    public static IServiceCollection AddOutageResilience(this IServiceCollection services)
    {
        if (services.Any(service => service.ServiceType == typeof(StorageHealth)))
        {
            return services;
        }

        services.AddSingleton<StorageHealth>();
        services.AddSingleton<DrainHealth>();
        services.AddHealthChecks().AddCheck<StorageHealth>("storage").AddCheck<DrainHealth>("drain");
        services.AddResiliencePipeline(Key, (pipeline, context) =>
        {
            var provider = context.ServiceProvider;
            var storageHealth = provider.GetRequiredService<StorageHealth>();
            var drainHealth = provider.GetRequiredService<DrainHealth>();
            var logger = provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(OutageResilience));
            // Report logs each retry, with the error's code alone; Polly's own records of it would carry the whole
            // exception, whose PostgreSQL message can quote stored values. Its metrics stay.
            pipeline.ConfigureTelemetry(NullLoggerFactory.Instance);
            pipeline.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = arguments => ValueTask.FromResult(
                    arguments.Outcome.Exception is { } exception && IsWorthWaitingOut(exception, arguments.Context.CancellationToken)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                Delay = FirstDelay,
                MaxDelay = provider.GetRequiredService<IOptions<WorkerOptions>>().Value.MaxOutageDelay,
                OnRetry = arguments =>
                {
                    Report(arguments.Outcome.Exception!, arguments.AttemptNumber, arguments.Duration, arguments.RetryDelay, storageHealth, drainHealth, logger);
                    return ValueTask.CompletedTask;
                },
            });
        });
        return services;
    }

    private static bool IsWorthWaitingOut(Exception exception, CancellationToken cancellationToken) =>
        !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        && exception is not PermanentFailureException
        && !StorageOutage.IsMissingConsumerGroup(exception);

    private static void Report(
        Exception exception, int attempt, TimeSpan attemptDuration, TimeSpan delay, StorageHealth storageHealth, DrainHealth drainHealth, ILogger logger)
    {
        var reason = StorageOutage.Describe(exception);
        var isOutage = StorageOutage.IsOutage(exception);
        if (StorageOutage.IsPostgres(exception))
        {
            storageHealth.StorageFailing(reason);
        }
        else if (!isOutage && attempt > 0)
        {
            // From its second failure in a row: one that the first retry cures is not worth a probe's alarm.
            drainHealth.Failing(reason, delay, attemptDuration);
        }

        if (isOutage)
        {
            LogOutage(logger, reason, delay.TotalMilliseconds);
        }
        else
        {
            // Anything else is retried too, rather than ending the process while the API keeps accepting. PostgreSQL's
            // own messages can quote stored values, so only its error code is logged.
            LogUnexpected(logger, reason, delay.TotalMilliseconds, exception is PostgresException ? null : exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis or PostgreSQL is unavailable ({Error}); the entries stay pending, retrying in {DelayMs} ms")]
    private static partial void LogOutage(ILogger logger, string error, double delayMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Draining the stream failed unexpectedly ({Error}); retrying in {DelayMs} ms")]
    private static partial void LogUnexpected(ILogger logger, string error, double delayMs, Exception? exception);
}
