using PhonicAspire.Webhooks;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// One consumer of the webhook stream: its consumer group, the handler its deliveries go to, and where the entries
/// that handler rejects go. The storage is one subscription, each forwarding destination another.
/// </summary>
/// <param name="Name">For logs: <c>storage</c>, or the destination's name.</param>
/// <param name="Destination">The forwarding destination its dead letters name; none for the storage.</param>
/// <param name="DeadLetterMaxLength">Past this many, the oldest of its dead letters go: none when null.</param>
/// <param name="ObservesStream">Reports the stream's length, pending entries and dead letters as metrics.</param>
/// <param name="DeliveryWindow">
/// When set, the most deliveries, and bytes of them, read and not yet reported that it holds at once, however many
/// batches they came in; when null, it holds <see cref="Configuration.WorkerOptions.StoreConcurrency"/> batches.
/// </param>
/// <param name="Stream">The stream it reads: the webhook stream but in tests of the stream code itself.</param>
/// <param name="StartsWhere">
/// The group whose position its own group starts at when first made, so that it reads what arrives from then on; the
/// stream's start when null or when that group does not exist yet.
/// </param>
public sealed record DrainSubscription(
    string Name,
    string Group,
    string DeadLetterStream,
    IDeliveryHandler Handler,
    string? Destination = null,
    long? DeadLetterMaxLength = null,
    bool ObservesStream = false,
    DeliveryWindowLimits? DeliveryWindow = null,
    string Stream = WebhookStream.Name,
    string? StartsWhere = null);
