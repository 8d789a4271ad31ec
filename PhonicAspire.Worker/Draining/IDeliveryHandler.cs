using PhonicAspire.Webhooks;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// What the drain loop hands decoded deliveries to. The loop owns the stream: it acknowledges what a handler
/// finished and dead-letters what it rejected. A handler that throws leaves the whole batch pending, and the loop
/// retries it as an outage (<see cref="Resilience.OutageResilience"/>).
/// </summary>
public interface IDeliveryHandler
{
    /// <summary>Completes once the handler can take deliveries; the loop reads nothing before.</summary>
    Task WaitUntilReadyAsync(CancellationToken cancellationToken);

    /// <summary>Handles the batch; returns the deliveries that no attempt could ever handle, each with its reason.</summary>
    Task<IReadOnlyList<RejectedDelivery>> HandleAsync(IReadOnlyList<QueuedDelivery> deliveries, CancellationToken cancellationToken);
}

/// <param name="Reason">Fit for a log line and the dead-letter stream: never a message that could quote the body.</param>
public sealed record RejectedDelivery(QueuedDelivery Delivery, string Reason);
