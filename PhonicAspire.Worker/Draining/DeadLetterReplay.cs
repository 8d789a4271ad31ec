namespace PhonicAspire.Worker.Draining;

/// <summary>What a replay of dead letters did.</summary>
/// <param name="Replayed">Dead letters moved back into the webhook stream.</param>
/// <param name="KeptWithoutDestination">
/// Forwarding dead letters left where they are because no consumer group forwards to their destination any more.
/// </param>
public sealed record DeadLetterReplay(long Replayed, long KeptWithoutDestination);
