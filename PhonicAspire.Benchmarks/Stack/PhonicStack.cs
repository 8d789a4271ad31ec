using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.Stack;

/// <summary>
/// The real distributed application in local mode (the machine's redis-server and postgres) on a throw-away data
/// folder, started as the whole-stack tests start it. The API's endpoint is not proxied, so that load goes
/// straight to Kestrel as it would behind a real load balancer rather than through DCP's proxy. The worker runs as
/// several replicas (the AppHost's <c>Phonic:WorkerReplicas</c>), each an instance with an id of its own.
/// </summary>
public sealed class PhonicStack : IAsyncDisposable
{
    public const string Api = "webhookapi";
    public const string Worker = "worker";
    public const string ApiAssembly = "PhonicAspire.WebhookApi";
    public const string WorkerAssembly = "PhonicAspire.Worker";

    // The worker is waited for replica by replica.
    private static readonly string[] Resources = ["redis", "postgres", "phonicdb", Api];
    private static readonly TimeSpan StartupLimit = TimeSpan.FromMinutes(3);

    private readonly DistributedApplication _app;
    private readonly TemporaryDataDirectory _data;

    private PhonicStack(DistributedApplication app, TemporaryDataDirectory data, string secret, Uri apiAddress,
        ConnectionMultiplexer redis, string databaseConnectionString, IReadOnlyList<string> workerInstances)
    {
        _app = app;
        _data = data;
        WebhookSecret = secret;
        ApiAddress = apiAddress;
        Redis = redis;
        DatabaseConnectionString = databaseConnectionString;
        WorkerInstances = workerInstances;
    }

    public string WebhookSecret { get; }

    public Uri ApiAddress { get; }

    public ConnectionMultiplexer Redis { get; }

    public string DatabaseConnectionString { get; }

    /// <summary>The ids of the worker's replicas, which commands and process lookups take instead of its name.</summary>
    public IReadOnlyList<string> WorkerInstances { get; }

    public ServiceProcesses Processes => new(_app);

    public static async Task<PhonicStack> StartAsync(int workerReplicas, CancellationToken cancellationToken)
    {
        using var startup = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        startup.CancelAfter(StartupLimit);

        var data = TemporaryDataDirectory.Create();
        var secret = $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";
        var apiPort = LoopbackPort.Free();
        DistributedApplication? app = null;
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.PhonicAspire_AppHost>(
                [
                    "PHONIC_INFRA=local",
                    // The launch profiles turn it on for F5; measured here is what every deployment runs.
                    "Phonic:SampleReceiver=false",
                    $"PHONIC_DATA_DIR={data.Path}",
                    $"Parameters:phonic-webhook-secret={secret}",
                    $"Phonic:WorkerReplicas={workerReplicas}",
                    // The AppHost's appsettings log at Information, which would bury the report under the services' logs.
                    "Logging:LogLevel:Default=Warning",
                ],
                startup.Token);
            builder.Services.AddLogging(logging => logging
                .SetMinimumLevel(LogLevel.Warning)
                // Failing probes are expected while the servers start; the wait below reports what never became healthy.
                .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
                // The servers' and services' own output (a fresh cluster's expected "relation does not exist" errors
                // included) would interleave with the report; failures show in the results as unexpected answers.
                .AddFilter("PhonicAspire.AppHost.Resources", LogLevel.None)
                .AddSimpleConsole());
            builder.CreateResourceBuilder<ProjectResource>(Api)
                .WithEndpoint("http", endpoint =>
                {
                    endpoint.IsProxied = false;
                    endpoint.Port = apiPort;
                    endpoint.TargetPort = apiPort;
                });

            app = await builder.BuildAsync(startup.Token);
            await app.StartAsync(startup.Token);
            foreach (var resource in Resources)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, startup.Token);
            }

            var workerInstances = await HealthyInstancesAsync(app, Worker, workerReplicas, startup.Token);

            var redis = await ConnectionMultiplexer.ConnectAsync(await app.GetConnectionStringAsync("redis", startup.Token) ?? "");
            var database = await app.GetConnectionStringAsync("phonicdb", startup.Token)
                ?? throw new InvalidOperationException("phonicdb has no connection string.");
            return new PhonicStack(app, data, secret, app.GetEndpoint(Api, "http"), redis, database, workerInstances);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }

            data.Dispose();
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
        limit.CancelAfter(StartupLimit);
        var resource = _app.ResourceNotifications.TryGetCurrentState(instance, out var state)
            ? state.Resource.Name
            : throw new InvalidOperationException($"'{instance}' has no state.");
        using (var service = Process.GetProcessById(Processes.ServiceOf(instance, assemblyName)))
        {
            service.Kill();
            await service.WaitForExitAsync(limit.Token);
        }

        // Waiting by name would return as soon as any replica had exited.
        await _app.ResourceNotifications.WaitForResourceAsync(
            resource,
            resourceEvent => resourceEvent.ResourceId == instance && KnownResourceStates.TerminalStates.Contains(resourceEvent.Snapshot.State?.Text),
            limit.Token);
    }

    /// <summary>Asks the orchestrator to start a stopped instance; returns as soon as it has accepted the command.</summary>
    public Task StartAsync(string instance, CancellationToken cancellationToken) =>
        ExecuteAsync(instance, KnownResourceCommands.StartCommand, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        Redis.Dispose();
        await _app.DisposeAsync();
        _data.Dispose();
    }

    private async Task ExecuteAsync(string resource, string command, CancellationToken cancellationToken)
    {
        var result = await _app.Services.GetRequiredService<ResourceCommandService>()
            .ExecuteCommandAsync(resource, command, cancellationToken);
        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} on {resource} failed: {result.Message}");
        }
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
