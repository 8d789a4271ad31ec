namespace PhonicAspire.Worker.Draining;

/// <summary>The most a <see cref="DeliveryWindow"/> lets its subscription hold read and not yet reported.</summary>
public sealed record DeliveryWindowLimits(int Deliveries, long Bytes);
