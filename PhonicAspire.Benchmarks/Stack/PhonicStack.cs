using System.Diagnostics;
using PhonicAspire.Testing;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.Stack;

/// <summary>
/// The stack the benchmarks measure: <see cref="LocalStack"/> with a fresh secret and the servers' and services'
/// own output kept off the console, so that it does not interleave with the report.
/// </summary>
public sealed class PhonicStack(LocalStack stack) : IAsyncDisposable
{
    public const string Api = LocalStack.Api;
    public const string Worker = LocalStack.Worker;
    public const string ApiAssembly = LocalStack.ApiAssembly;
    public const string WorkerAssembly = LocalStack.WorkerAssembly;

    private static readonly TimeSpan KillLimit = TimeSpan.FromMinutes(3);

    public string WebhookSecret => stack.WebhookSecret;

    public Uri ApiAddress => stack.ApiAddress;

    public ConnectionMultiplexer Redis => stack.Redis;

    public string DatabaseConnectionString => stack.DatabaseConnectionString;

    public ServiceProcesses Processes => new(stack.App);

    public static async Task<PhonicStack> StartAsync(CancellationToken cancellationToken) =>
        new(await LocalStack.StartAsync(
            new LocalStackOptions
            {
                WebhookSecret = WebhookSecrets.NewRandom(),
                // The AppHost's appsettings log at Information, which would bury the report under the services' logs.
                AppHostArguments = ["Logging:LogLevel:Default=Warning"],
                // A fresh cluster's expected "relation does not exist" errors included; failures show in the
                // results as unexpected answers.
                ShowResourceLogs = false,
            },
            cancellationToken));

    /// <summary>
    /// SIGKILLs a service and waits until the orchestrator has seen it exit. Not the dashboard's Stop: the worker's
    /// graceful shutdown outlasts DCP's stop timeout, so that command fails; an idle worker loses nothing to a kill.
    /// </summary>
    public async Task KillAsync(string resource, string assemblyName, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(KillLimit);
        using (var service = Process.GetProcessById(Processes.ServiceOf(resource, assemblyName)))
        {
            service.Kill();
            await service.WaitForExitAsync(limit.Token);
        }

        await stack.App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, limit.Token);
    }

    /// <summary>Asks the orchestrator to start a stopped service; returns as soon as it has accepted the command.</summary>
    public Task StartAsync(string resource, CancellationToken cancellationToken) =>
        stack.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);

    public ValueTask DisposeAsync() => stack.DisposeAsync();
}
