using PhonicAspire.Worker.Resilience;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// Redis refused, failed or did not answer in time a page of a dead-letter replay, which stopped after
/// <see cref="SoFar"/>: each dead letter moves whole, so what it replayed stays replayed and the rest stay dead letters.
/// </summary>
public sealed class DeadLetterReplayStoppedException(DeadLetterReplay soFar, Exception cause)
    : Exception($"The replay stopped after {soFar.Replayed} dead letter(s): {cause.Message}", cause)
{
    public DeadLetterReplay SoFar { get; } = soFar;

    /// <summary>
    /// For an operator, in one sentence: how many it replayed (at least that many where the last page went unanswered,
    /// timed out or cut off with its connection: a page's script still runs if it reached Redis) and Redis's error by
    /// its type and code alone.
    /// </summary>
    public string Describe() =>
        $"Replayed {(InnerException is TimeoutException or RedisConnectionException ? "at least " : "")}{SoFar.Replayed} dead letter(s), then "
        + $"{StorageOutage.Describe(InnerException!)} from Redis; the rest are still dead letters.";
}
