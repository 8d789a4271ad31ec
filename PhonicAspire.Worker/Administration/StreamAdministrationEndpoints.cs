using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Resilience;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Administration;

/// <summary>
/// What the dashboard's worker commands call (operator routes: see <see cref="OperatorRoutes"/>). They act on the shared stream, so any one worker
/// replica can serve them.
/// </summary>
public static partial class StreamAdministrationEndpoints
{
    public const string ReplayDeadLettersRoute = "/dead-letters/replay";
    public const string ReplayForwardingDeadLettersRoute = "/forwarding/dead-letters/replay";
    public const string StreamStatusRoute = "/stream-status";

    public static IEndpointRouteBuilder MapStreamAdministration(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(ReplayDeadLettersRoute, (WebhookStreamClient stream, ILogger<WebhookStreamClient> logger, IHostApplicationLifetime lifetime) =>
                ReplayAsync(stream, logger, WebhookStream.DeadLetterName, lifetime.ApplicationStopping))
            .WithName("ReplayDeadLetters")
            .ExcludeFromDescription();

        // The forwards destinations refused or did not take in time, each back to its own destination alone.
        endpoints.MapPost(ReplayForwardingDeadLettersRoute, (WebhookStreamClient stream, ILogger<WebhookStreamClient> logger, IHostApplicationLifetime lifetime) =>
                ReplayAsync(stream, logger, WebhookStream.ForwardingDeadLetterName, lifetime.ApplicationStopping))
            .WithName("ReplayForwardingDeadLetters")
            .ExcludeFromDescription();

        endpoints.MapPost(StreamStatusRoute, async (WebhookStreamClient stream, ILogger<WebhookStreamClient> logger, CancellationToken cancellationToken) =>
            {
                StreamStatus status;
                try
                {
                    status = await stream.GetStatusAsync(cancellationToken);
                }
                catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
                {
                    LogStatusUnread(logger, StorageOutage.Describe(exception));
                    return AdministrationProblems.StatusUnread(exception);
                }

                if (status.DeadLetters is { } deadLetters)
                {
                    LogStatus(logger, status.Length, status.Pending, status.OldestPendingAge.TotalSeconds, deadLetters);
                }
                else
                {
                    LogStatusWithoutDeadLetters(logger, status.Length, status.Pending, status.OldestPendingAge.TotalSeconds, status.DeadLettersUnmeasured);
                }

                return Results.Ok(new
                {
                    length = status.Length,
                    pending = status.Pending,
                    oldestPendingAgeSeconds = status.OldestPendingAge.TotalSeconds,
                    deadLetters = status.DeadLetters,
                    deadLettersUnmeasured = status.DeadLettersUnmeasured,
                });
            })
            .WithName("StreamStatus")
            .ExcludeFromDescription();

        return endpoints;
    }

    // Runs to the end however long it takes, though the dashboard stops waiting for the answer after its HTTP timeout:
    // the operator asked for every dead letter that can go back to go back. Only the worker's stop ends it early,
    // between pages.
    private static async Task<IResult> ReplayAsync(WebhookStreamClient stream, ILogger logger, string deadLetters, CancellationToken stopping)
    {
        try
        {
            var replay = await stream.ReplayDeadLettersAsync(DeadLetterFilter.All, deadLetters, stopping);
            LogReplayed(logger, replay.Replayed, deadLetters, replay.KeptWithoutDestination);
            return Results.Ok(new { replayed = replay.Replayed, keptWithoutDestination = replay.KeptWithoutDestination });
        }
        catch (DeadLetterReplayStoppedException stopped)
        {
            LogReplayStopped(logger, stopped.SoFar.Replayed, deadLetters, StorageOutage.Describe(stopped.InnerException!));
            return AdministrationProblems.ReplayStopped(stopped);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            LogReplayEndedByStop(logger, deadLetters);
            return AdministrationProblems.WorkerStopping();
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Replayed {Count} dead letters from {DeadLetterStream} into the webhook stream; kept {Kept} whose destination no worker forwards to")]
    private static partial void LogReplayed(ILogger logger, long count, string deadLetterStream, long kept);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Replayed {Count} dead letters from {DeadLetterStream}, then {Error} from Redis; the rest are still dead letters")]
    private static partial void LogReplayStopped(ILogger logger, long count, string deadLetterStream, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The replay of {DeadLetterStream} ended early as the worker stops; the rest are still dead letters")]
    private static partial void LogReplayEndedByStop(ILogger logger, string deadLetterStream);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stream's status could not be read: {Error} from Redis")]
    private static partial void LogStatusUnread(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Webhook stream: {Length} entries, {Pending} pending (oldest {OldestPendingAgeSeconds:0.0} s), {DeadLetters} dead letters")]
    private static partial void LogStatus(ILogger logger, long length, long pending, double oldestPendingAgeSeconds, long deadLetters);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Webhook stream: {Length} entries, {Pending} pending (oldest {OldestPendingAgeSeconds:0.0} s); the dead letters could not be counted ({Error})")]
    private static partial void LogStatusWithoutDeadLetters(ILogger logger, long length, long pending, double oldestPendingAgeSeconds, string? error);
}
