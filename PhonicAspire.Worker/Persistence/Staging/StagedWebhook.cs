using PhonicAspire.Worker.Phonic;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>A delivery and what its body says.</summary>
internal sealed record StagedWebhook(QueuedDelivery Received, PhonicEvent Event);
