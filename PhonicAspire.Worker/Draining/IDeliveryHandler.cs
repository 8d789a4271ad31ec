using PhonicAspire.Webhooks;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// What the drain loop hands decoded deliveries to. The loop owns the stream: it acknowledges what a handler
/// finished and dead-letters what it rejected. A handler that throws leaves what it had not reported pending, and
/// the loop retries those as an outage (<see cref="Resilience.OutageResilience"/>).
/// </summary>
public interface IDeliveryHandler
{
    /// <summary>Completes once the handler can take deliveries; the loop reads nothing before.</summary>
    Task WaitUntilReadyAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether deliveries so routed are this handler's to handle. It is handed the others too, and reports them done
    /// without handling them; a malformed entry it does not take is acknowledged rather than dead-lettered.
    /// </summary>
    bool Takes(DeliveryRouting routing);

    /// <summary>
    /// Handles the batch, reporting to <paramref name="outcomes"/> each delivery it is done with as soon as it
    /// knows, or none at all: when it returns, every delivery it did not report counts as handled.
    /// </summary>
    Task HandleAsync(IReadOnlyList<QueuedDelivery> deliveries, DeliveryOutcomes outcomes, CancellationToken cancellationToken);
}
