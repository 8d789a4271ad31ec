using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>A delivery and what its body says, numbered so staged items can refer back to it.</summary>
internal sealed record StagedWebhook(int Ordinal, ReceivedWebhook Received, PhonicEvent Event);
