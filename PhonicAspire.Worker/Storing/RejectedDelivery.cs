using PhonicAspire.Webhooks;

namespace PhonicAspire.Worker.Storing;

/// <param name="Reason">Fit for a log line and the dead-letter stream: never a message that could quote the body.</param>
internal sealed record RejectedDelivery(QueuedDelivery Delivery, string Reason);
