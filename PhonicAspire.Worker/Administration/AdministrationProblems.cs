using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Resilience;

namespace PhonicAspire.Worker.Administration;

/// <summary>
/// The operator routes' answers when they cannot finish: what stopped them, specific enough to act on, and for a
/// replay how far it got. Redis's reply is named by its type and code only, as the command line names it.
/// </summary>
internal static class AdministrationProblems
{
    public static IResult ReplayStopped(DeadLetterReplayStoppedException stopped) => RedisFailed(
        stopped.InnerException!,
        stopped.Describe() + " Running the replay again moves them.",
        new Dictionary<string, object?>
        {
            ["replayed"] = stopped.SoFar.Replayed,
            ["keptWithoutDestination"] = stopped.SoFar.KeptWithoutDestination,
        });

    public static IResult StatusUnread(Exception cause) =>
        RedisFailed(cause, $"The stream's status could not be read: {StorageOutage.Describe(cause)} from Redis.", extensions: null);

    public static IResult WorkerStopping() => Results.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        type: ProblemTypes.Prefix + "worker-stopping",
        title: "Worker stopping",
        detail: "The worker is stopping and the replay ended early; each dead letter moves whole, so what it replayed stays "
            + "replayed and the rest are still dead letters: run the replay again on a running worker.");

    // Unreachable or slow is worth retrying as it is; a refusal (WRONGTYPE, NOPERM) needs someone to look first.
    private static IResult RedisFailed(Exception cause, string detail, IDictionary<string, object?>? extensions) =>
        StorageOutage.IsUnreachable(cause)
            ? Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, type: ProblemTypes.Prefix + "redis-unavailable",
                title: "Redis unavailable", detail: detail, extensions: extensions)
            : Results.Problem(statusCode: StatusCodes.Status500InternalServerError, type: ProblemTypes.Prefix + "redis-refused",
                title: "Redis refused the command", detail: detail, extensions: extensions);
}
