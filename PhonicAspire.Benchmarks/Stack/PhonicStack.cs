using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PhonicAspire.Benchmarks.Telemetry;
using PhonicAspire.Testing;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.Stack;

/// <summary>
/// The stack the benchmarks measure: <see cref="LocalStack"/> with a fresh secret and the servers' and services'
/// own output kept off the console, so that it does not interleave with the report. The worker runs as several
/// replicas (the AppHost's <c>Phonic:WorkerReplicas</c>), each an instance with an id of its own.
/// </summary>
public sealed class PhonicStack(LocalStack stack, OtlpSink telemetry, IReadOnlyList<string> workerInstances) : IAsyncDisposable
{
    public const string Api = LocalStack.Api;
    public const string Worker = LocalStack.Worker;
    public const string ApiAssembly = LocalStack.ApiAssembly;
    public const string WorkerAssembly = LocalStack.WorkerAssembly;

    private static readonly TimeSpan KillLimit = TimeSpan.FromMinutes(3);

    // The services' launch profiles say Development, for F5; operators run them in Production, without Development's
    // extras such as the developer exception page around every request (with the API alone, 4,177-4,271 deliveries/s
    // in Development against 4,425-4,539/s in Production, two alternating pairs).
    private static readonly KeyValuePair<string, string>[] ProductionEnvironment =
        [new("ASPNETCORE_ENVIRONMENT", "Production"), new("DOTNET_ENVIRONMENT", "Production")];

    public string WebhookSecret => stack.WebhookSecret;

    public Uri ApiAddress => stack.ApiAddress;

    public ConnectionMultiplexer Redis => stack.Redis;

    public string DatabaseConnectionString => stack.DatabaseConnectionString;

    /// <summary>Where Redis and PostgreSQL keep their data.</summary>
    public string DataDirectory => stack.DataDirectory;

    /// <summary>The ids of the worker's replicas, which commands and process lookups take instead of its name.</summary>
    public IReadOnlyList<string> WorkerInstances => workerInstances;

    public ServiceProcesses Processes => new(stack.App);

    /// <summary>Where the services export their telemetry over OTLP.</summary>
    public OtlpSink Telemetry => telemetry;

    public static async Task<PhonicStack> StartAsync(int workerReplicas, CancellationToken cancellationToken)
    {
        var telemetry = await OtlpSink.StartAsync(cancellationToken);
        LocalStack stack;
        try
        {
            stack = await LocalStack.StartAsync(
                new LocalStackOptions
                {
                    WebhookSecret = WebhookSecrets.NewRandom(),
                    WorkerReplicas = workerReplicas,
                    // The AppHost's appsettings log at Information, which would bury the report under the services' logs.
                    AppHostArguments = ["Logging:LogLevel:Default=Warning"],
                    // A fresh cluster's expected "relation does not exist" errors included; failures show in the
                    // results as unexpected answers.
                    ShowResourceLogs = false,
                    // Traces, metrics and logs exported over OTLP, in Production, as operators run the services; a stack
                    // under test would export to a dashboard that the testing host does not start.
                    ServiceEnvironment = [.. telemetry.ExporterEnvironment(), .. ProductionEnvironment],
                },
                cancellationToken);
        }
        catch
        {
            await telemetry.DisposeAsync();
            throw;
        }

        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(KillLimit);
            return new PhonicStack(stack, telemetry, await HealthyInstancesAsync(stack.App, Worker, workerReplicas, limit.Token));
        }
        catch
        {
            await stack.DisposeAsync();
            await telemetry.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// SIGKILLs one instance of a service and waits until the orchestrator has seen it exit. Not the dashboard's Stop:
    /// the worker's graceful shutdown outlasts DCP's stop timeout, so that command fails; an idle worker loses nothing
    /// to a kill.
    /// </summary>
    public async Task KillAsync(string instance, string assemblyName, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(KillLimit);
        var resource = stack.App.ResourceNotifications.TryGetCurrentState(instance, out var state)
            ? state.Resource.Name
            : throw new InvalidOperationException($"'{instance}' has no state.");
        using (var service = Process.GetProcessById(Processes.ServiceOf(instance, assemblyName)))
        {
            service.Kill();
            await service.WaitForExitAsync(limit.Token);
        }

        // Waiting by name would return as soon as any replica had exited.
        await stack.App.ResourceNotifications.WaitForResourceAsync(
            resource,
            resourceEvent => resourceEvent.ResourceId == instance && KnownResourceStates.TerminalStates.Contains(resourceEvent.Snapshot.State?.Text),
            limit.Token);
    }

    /// <summary>
    /// What the orchestrator and /proc say of one instance (its state, health, exit code and processes), for an error
    /// that has to explain a wait that ran out: two drain runs stopped on a worker replica started after a kill that never
    /// became healthy, with nothing more to go on.
    /// </summary>
    public string Describe(string instance) => ResourceDescription.Of(stack.App, instance);

    /// <summary>Asks the orchestrator to start a stopped instance; returns as soon as it has accepted the command.</summary>
    public Task StartAsync(string instance, CancellationToken cancellationToken) =>
        stack.ExecuteCommandAsync(instance, KnownResourceCommands.StartCommand, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await stack.DisposeAsync();
        await telemetry.DisposeAsync();
    }

    /// <summary>
    /// Waits until <paramref name="count"/> instances of a resource are running and healthy and returns their ids:
    /// waiting by the resource's name would return once any one of them was.
    /// </summary>
    private static async Task<IReadOnlyList<string>> HealthyInstancesAsync(
        DistributedApplication app, string resource, int count, CancellationToken cancellationToken)
    {
        var healthy = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var update in app.ResourceNotifications.WatchAsync(cancellationToken))
        {
            if (update.Resource.Name != resource)
            {
                continue;
            }

            if (update.Snapshot.State?.Text == KnownResourceStates.Running && update.Snapshot.HealthStatus == HealthStatus.Healthy)
            {
                healthy.Add(update.ResourceId);
            }
            else
            {
                healthy.Remove(update.ResourceId);
            }

            if (healthy.Count == count)
            {
                return [.. healthy];
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }
}
