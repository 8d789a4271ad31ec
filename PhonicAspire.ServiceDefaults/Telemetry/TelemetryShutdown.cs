using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace PhonicAspire.ServiceDefaults.Telemetry;

/// <summary>
/// Shuts the OpenTelemetry providers down once every hosted service has stopped, all three at once within
/// <see cref="Budget"/>. Their own disposal would wait up to 5 s each for an export to end: a collector that did not
/// answer held a stopping worker 4.8 s past its work, and past a container's 10 s grace (CI run 241 of
/// <c>GracefulShutdownTests</c>); a service with nothing left to export is not slowed. Disposal then finds them shut.
/// </summary>
public sealed class TelemetryShutdown(IServiceProvider services) : IHostedLifecycleService
{
    /// <summary>
    /// What a stop gives telemetry left to export, a second: the worker finishes its batches within 5 s of a stop and
    /// hands back the rest within 2 s more, so a container's 10 s grace still holds.
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        var timeout = (int)Budget.TotalMilliseconds;
        Action?[] shutdowns =
        [
            services.GetService<TracerProvider>() is { } traces ? () => traces.Shutdown(timeout) : null,
            services.GetService<MeterProvider>() is { } metrics ? () => metrics.Shutdown(timeout) : null,
            services.GetService<LoggerProvider>() is { } logs ? () => logs.Shutdown(timeout) : null,
        ];

        // Each shutdown blocks its thread until its export ends or the budget is spent.
        return Task.WhenAll(shutdowns.OfType<Action>().Select(Task.Run));
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
