using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>An entry taken over from a consumer that left it, and how many times Redis has delivered it, this claim included.</summary>
public readonly record struct ClaimedEntry(StreamEntry Entry, int DeliveryCount);
