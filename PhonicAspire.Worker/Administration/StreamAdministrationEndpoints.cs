using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;

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
                var status = await stream.GetStatusAsync(cancellationToken);
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
        var replay = await stream.ReplayDeadLettersAsync(DeadLetterFilter.All, deadLetters, stopping);
        LogReplayed(logger, replay.Replayed, deadLetters, replay.KeptWithoutDestination);
        return Results.Ok(new { replayed = replay.Replayed, keptWithoutDestination = replay.KeptWithoutDestination });
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Replayed {Count} dead letters from {DeadLetterStream} into the webhook stream; kept {Kept} whose destination no worker forwards to")]
    private static partial void LogReplayed(ILogger logger, long count, string deadLetterStream, long kept);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Webhook stream: {Length} entries, {Pending} pending (oldest {OldestPendingAgeSeconds:0.0} s), {DeadLetters} dead letters")]
    private static partial void LogStatus(ILogger logger, long length, long pending, double oldestPendingAgeSeconds, long deadLetters);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Webhook stream: {Length} entries, {Pending} pending (oldest {OldestPendingAgeSeconds:0.0} s); the dead letters could not be counted ({Error})")]
    private static partial void LogStatusWithoutDeadLetters(ILogger logger, long length, long pending, double oldestPendingAgeSeconds, string? error);
}
