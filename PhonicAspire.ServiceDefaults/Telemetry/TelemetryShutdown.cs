using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace PhonicAspire.ServiceDefaults.Telemetry;

/// <summary>
/// Shuts the OpenTelemetry providers down once every hosted service has stopped, all three at once within
/// <see cref="Budget"/>. Their own disposal would wait up to 5 s each for an export to end, so a collector that does not
/// answer held a stopping service 10 s (<c>TelemetryShutdownTests</c>), a container's whole grace. A service with
/// nothing left to export is not slowed, and disposal then finds the providers shut.
/// </summary>
public sealed partial class TelemetryShutdown(IServiceProvider services, ILogger<TelemetryShutdown> logger) : IHostedLifecycleService
{
    /// <summary>
    /// What a stop gives telemetry left to export, a second: the worker finishes its batches within 5 s of a stop and
    /// hands back the rest within 2 s more, so a container's 10 s grace still holds.
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        var timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        var started = timeProvider.GetTimestamp();
        var timeout = (int)Budget.TotalMilliseconds;
        Action?[] shutdowns =
        [
            services.GetService<TracerProvider>() is { } traces ? () => traces.Shutdown(timeout) : null,
            services.GetService<MeterProvider>() is { } metrics ? () => metrics.Shutdown(timeout) : null,
            services.GetService<LoggerProvider>() is { } logs ? () => logs.Shutdown(timeout) : null,
        ];

        // Each shutdown blocks its thread until its export ends or the budget is spent: threads of their own, so that
        // the three start together however few the pool has free.
        await Task.WhenAll(shutdowns.OfType<Action>().Select(shutdown =>
            Task.Factory.StartNew(shutdown, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)));

        // Only the console takes this one now; it shows whether telemetry was what a slow stop waited for.
        LogShutDown(logger, (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Telemetry exporters shut down in {ElapsedMs} ms")]
    private static partial void LogShutDown(ILogger logger, long elapsedMs);
}
