namespace PhonicAspire.Worker.Persistence;

/// <summary>One delivery taken from the webhook stream.</summary>
/// <param name="EventType">The event type the API queued it under; the body's own <c>event_type</c> wins when it has one.</param>
/// <param name="Body">The body exactly as received.</param>
/// <param name="Reprocess">Requeued by an operator: replaces the row stored for this svix id instead of counting as a duplicate.</param>
public sealed record ReceivedWebhook(string SvixId, string? EventType, DateTimeOffset ReceivedAt, ReadOnlyMemory<byte> Body, bool Reprocess = false);
