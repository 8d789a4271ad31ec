using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>A delivery and what its body says.</summary>
internal sealed record StagedWebhook(QueuedDelivery Received, PhonicEvent Event);
