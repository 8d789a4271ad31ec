using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Draining;
using Polly;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>A worker's drain loop on the stack's Redis, for a subscription of the test's own, outside any worker process.</summary>
public sealed class DrainLoops : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public StreamDrainService Create(PhonicStackFixture stack, DrainSubscription subscription, WorkerOptions options, TimeProvider? clock = null) =>
        new(
            subscription,
            stack.Redis.Multiplexer,
            new WebhookStreamClient(stack.Redis.Multiplexer, clock ?? TimeProvider.System),
            ResiliencePipeline.Empty,
            new PhonicMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            clock ?? TimeProvider.System,
            Options.Create(options),
            NullLogger<StreamDrainService>.Instance);

    public void Dispose() => _services.Dispose();
}
