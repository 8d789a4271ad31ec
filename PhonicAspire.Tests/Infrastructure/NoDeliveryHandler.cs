using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>A handler for tests of the stream code itself, where nothing is handed on.</summary>
public sealed class NoDeliveryHandler : IDeliveryHandler
{
    public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public bool Takes(DeliveryRouting routing) => true;

    public Task HandleAsync(IReadOnlyList<QueuedDelivery> deliveries, DeliveryOutcomes outcomes, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
