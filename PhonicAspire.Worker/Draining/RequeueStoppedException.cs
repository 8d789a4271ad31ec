namespace PhonicAspire.Worker.Draining;

/// <summary>
/// Redis refused, failed or did not answer in time an append of a requeue, or the stored events could no longer be
/// read, and the requeue stopped after <see cref="Requeued"/> events.
/// </summary>
public sealed class RequeueStoppedException(int requeued, Exception cause)
    : Exception($"The requeue stopped after {requeued} event(s): {cause.Message}", cause)
{
    public int Requeued { get; } = requeued;
}
