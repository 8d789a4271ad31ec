using System.Diagnostics;

namespace PhonicAspire.Webhooks;

/// <summary>
/// One verified delivery, the same record from the API's append to the worker's store: the API writes it into the
/// webhook stream (<see cref="DeliveryEntry"/>), the worker reads it back and stores it, an operator's
/// <c>phonic requeue</c> writes a stored one again.
/// </summary>
/// <param name="EventType">What the API read from the body; the body's own <c>event_type</c> wins when the worker parses it.</param>
/// <param name="ConversationId">Phonic's <c>data.conversation.id</c>, when the API could read one: a label for logs and traces.</param>
/// <param name="Body">The body exactly as received.</param>
/// <param name="TraceParent">The W3C <c>traceparent</c> of the API's append, which the worker's spans continue.</param>
/// <param name="Reprocess">
/// Put back by an operator for the storage alone (<c>phonic requeue</c>, or a replay of the storage's dead letters):
/// replaces any row stored for this svix id instead of counting as a duplicate, and no forwarding destination takes it.
/// </param>
/// <param name="ForwardTo">Replayed for one forwarding destination only: every other consumer skips it.</param>
/// <param name="ReplayedAt">When it was replayed from the forwarding dead letters, if it was.</param>
public sealed record QueuedDelivery(
    string SvixId,
    string? EventType,
    string? ConversationId,
    DateTimeOffset ReceivedAt,
    ReadOnlyMemory<byte> Body,
    string? TraceParent = null,
    string? TraceState = null,
    bool Reprocess = false,
    string? ForwardTo = null,
    DateTimeOffset? ReplayedAt = null)
{
    public DeliveryRouting Routing => new(EventType, Reprocess, ForwardTo);

    /// <summary>The API's append span, or default when the delivery carries no trace (a requeue, an old entry).</summary>
    public ActivityContext TraceContext =>
        ActivityContext.TryParse(TraceParent, TraceState, isRemote: true, out var context) ? context : default;
}
