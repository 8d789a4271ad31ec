namespace PhonicAspire.Webhooks;

/// <summary>
/// What says which consumers of the webhook stream an entry is for: its event type and an operator's marks. Read
/// from a malformed entry too, so that only the consumers it was for dead-letter it.
/// </summary>
/// <param name="Reprocess">Put back for the storage alone (see <see cref="QueuedDelivery.Reprocess"/>).</param>
/// <param name="ForwardTo">Replayed for this forwarding destination alone.</param>
public readonly record struct DeliveryRouting(string? EventType, bool Reprocess, string? ForwardTo);
