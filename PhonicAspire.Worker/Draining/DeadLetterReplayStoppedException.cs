namespace PhonicAspire.Worker.Draining;

/// <summary>
/// Redis refused, failed or did not answer in time a page of a dead-letter replay, which stopped after
/// <see cref="SoFar"/>: each dead letter moves whole, so what it replayed stays replayed and the rest stay dead letters.
/// </summary>
public sealed class DeadLetterReplayStoppedException(DeadLetterReplay soFar, Exception cause)
    : Exception($"The replay stopped after {soFar.Replayed} dead letter(s): {cause.Message}", cause)
{
    public DeadLetterReplay SoFar { get; } = soFar;
}
