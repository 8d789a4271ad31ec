using PhonicAspire.Webhooks;

namespace PhonicAspire.Worker.Persistence;

/// <summary>
/// A batch split into the deliveries stored now, the one kept of each svix id, and the svix ids of the rest: stored
/// before, or repeated in the batch.
/// </summary>
public sealed record BatchStoreResult(IReadOnlyList<QueuedDelivery> Stored, IReadOnlyList<string> Duplicates);
