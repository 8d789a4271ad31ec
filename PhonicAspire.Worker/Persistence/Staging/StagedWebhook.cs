using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>A delivery and what its body says.</summary>
internal sealed record StagedWebhook(ReceivedWebhook Received, PhonicEvent Event);
