using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;
using PhonicAspire.Tests.Infrastructure.Otlp;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// The whole distributed application, started once for every test in <see cref="StackCollection"/>: real Redis
/// and PostgreSQL (local mode) on a throw-away data folder, the real API and worker.
/// </summary>
public class PhonicStackFixture : IAsyncLifetime
{
    private readonly int _apiReplicas;
    private readonly int _workerReplicas;
    private readonly IReadOnlyList<string> _appHostSettings;

    public PhonicStackFixture()
        : this(apiReplicas: 1, workerReplicas: 1)
    {
    }

    /// <summary>
    /// A stack with this many processes of each service (the AppHost's Phonic:ApiReplicas and Phonic:WorkerReplicas),
    /// and further AppHost settings (<c>key=value</c>).
    /// </summary>
    protected PhonicStackFixture(int apiReplicas, int workerReplicas, params IReadOnlyList<string> appHostSettings)
    {
        _apiReplicas = apiReplicas;
        _workerReplicas = workerReplicas;
        _appHostSettings = appHostSettings;
    }

    public const string WebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    /// <summary>The key the dashboard's buttons present to the operator routes; fixed here so tests can present it too.</summary>
    public const string OperatorKey = "operator-key-for-the-tests-0123456789";

    /// <summary>The <c>Phonic:RedisMaxMemory</c> the stack runs with.</summary>
    public const string RedisMaxMemory = "1gb";

    /// <summary>The worker's <c>Worker:ClaimIdleTime</c> here: short, so a killed worker's entries are taken over soon.</summary>
    public static readonly TimeSpan ClaimIdleTime = TimeSpan.FromSeconds(3);

    /// <summary>The worker's <c>Worker:MaxAttempts</c> (its default).</summary>
    public const int MaxAttempts = 5;

    public static readonly string[] ResourceNames = ["redis", "postgres", "phonicdb", "webhookapi", "worker"];

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ResourceTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(30);

    private readonly string _dataDirectory = CreateDataDirectory();

    /// <summary>Where the local servers keep their data (<c>PHONIC_DATA_DIR</c>).</summary>
    public string DataDirectory => _dataDirectory;
    private DistributedApplication? _app;
    private ConnectionMultiplexer? _redis;

    /// <summary>Receives the services' traces and metrics over OTLP, as the dashboard would.</summary>
    public OtlpCollector Telemetry { get; } = new();

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The stack has not started.");

    public TimeSpan StartupDuration { get; private set; }

    public IDatabase Redis => (_redis ?? throw new InvalidOperationException("The stack has not started.")).GetDatabase();

    /// <summary>Straight to the API's Kestrel; every call is bounded, so a hung API fails the test that called it.</summary>
    public HttpClient CreateApiClient() => WithTimeout(App.CreateHttpClient("webhookapi"));

    public HttpClient CreateWorkerClient() => WithTimeout(App.CreateHttpClient("worker"));

    /// <summary>A client of a service's operator routes, presenting the operator key as the dashboard's buttons do.</summary>
    public HttpClient CreateOperatorClient(string service)
    {
        var client = WithTimeout(App.CreateHttpClient(service));
        client.DefaultRequestHeaders.Authorization = new("Bearer", OperatorKey);
        return client;
    }

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(await App.GetConnectionStringAsync("phonicdb"));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Clicks a resource's dashboard command, such as <c>resource-stop</c>, and checks that it succeeded in time.</summary>
    public async Task ExecuteCommandAsync(string resource, string command)
    {
        using var timeout = new CancellationTokenSource(CommandTimeout);
        ExecuteCommandResult result;
        try
        {
            result = await App.Services.GetRequiredService<ResourceCommandService>()
                .ExecuteCommandAsync(resource, command, timeout.Token)
                .WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"{command} on {resource} did not finish within {CommandTimeout.TotalSeconds:0} s; {Describe(resource)}.");
        }

        Assert.True(result.Success, $"{command} on {resource} failed: {result.Message}");
    }

    /// <summary>Stops a resource from the dashboard and waits until it has stopped; dispose the outage to start it again.</summary>
    public async Task<ResourceOutage> StopAsync(string resource)
    {
        await ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand);
        await WaitForStateAsync(resource, snapshot => KnownResourceStates.TerminalStates.Contains(snapshot.State?.Text), "stopped");
        return new ResourceOutage(this, resource);
    }

    /// <summary>
    /// SIGKILLs every process of a resource at once, as a crash of its machine would, and waits until the
    /// orchestrator has seen it exit; dispose the outage to start it again.
    /// </summary>
    public async Task<ResourceOutage> KillAsync(string resource)
    {
        ResourceProcesses.KillTree(App, resource);
        await WaitForStateAsync(resource, snapshot => KnownResourceStates.TerminalStates.Contains(snapshot.State?.Text), "exited");
        return new ResourceOutage(this, resource);
    }

    /// <summary>Starts a stopped resource and waits until it is running and healthy.</summary>
    public async Task StartAsync(string resource)
    {
        await ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
        await WaitUntilHealthyAsync(resource);

        // The tests' own pooled connections to a restarted PostgreSQL are dead; the next test must not get one.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>
    /// Waits until the resource is running and healthy. The transient states of a restart (starting, a failed
    /// first health probe, even a start the orchestrator retries) do not end the wait; only its bound does.
    /// </summary>
    public Task WaitUntilHealthyAsync(string resource) => WaitForStateAsync(
        resource,
        snapshot => snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy,
        "running and healthy");

    /// <summary>
    /// Waits until <paramref name="count"/> instances (replicas) of a resource are running and healthy, and returns
    /// the id (what commands are sent to) and the process the orchestrator started for each.
    /// </summary>
    public async Task<IReadOnlyList<ResourceInstance>> RunningInstancesAsync(string resource, int count)
    {
        using var timeout = new CancellationTokenSource(ResourceTimeout);
        var instances = new Dictionary<string, CustomResourceSnapshot>();
        try
        {
            await foreach (var update in App.ResourceNotifications.WatchAsync(timeout.Token))
            {
                if (update.Resource.Name != resource)
                {
                    continue;
                }

                instances[update.ResourceId] = update.Snapshot;
                var running = instances
                    .Where(instance => instance.Value.State?.Text == KnownResourceStates.Running && instance.Value.HealthStatus == HealthStatus.Healthy)
                    .ToArray();
                if (running.Length >= count)
                {
                    return [.. running.Select(instance => new ResourceInstance(instance.Key, Convert.ToInt32(
                        instance.Value.Properties.Single(property => property.Name == "executable.pid").Value, System.Globalization.CultureInfo.InvariantCulture)))];
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }

        throw new TimeoutException($"{count} instances of '{resource}' were not running and healthy within {ResourceTimeout.TotalSeconds:0} s; " +
            string.Join(", ", instances.Values.Select(snapshot => $"{snapshot.State?.Text}/{snapshot.HealthStatus}")));
    }

    private async Task WaitForStateAsync(string resource, Func<CustomResourceSnapshot, bool> reached, string what)
    {
        using var timeout = new CancellationTokenSource(ResourceTimeout);
        try
        {
            await App.ResourceNotifications.WaitForResourceAsync(resource, resourceEvent => reached(resourceEvent.Snapshot), timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"'{resource}' was not {what} within {ResourceTimeout.TotalSeconds:0} s; {Describe(resource)}.");
        }
    }

    private string Describe(string resource) =>
        App.ResourceNotifications.TryGetCurrentState(resource, out var current)
            ? $"it is {current.Snapshot.State?.Text ?? "without a state"}, health {current.Snapshot.HealthStatus?.ToString() ?? "unknown"}"
                + string.Concat(current.Snapshot.HealthReports.Where(report => report.Status != HealthStatus.Healthy)
                    .Select(report => $"; {report.Name}: {report.Description ?? report.ExceptionText}"))
            : "it has no state";

    private static HttpClient WithTimeout(HttpClient client)
    {
        client.Timeout = HttpTimeout;
        return client;
    }

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartupTimeout);
        var started = TimeProvider.System.GetTimestamp();

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.PhonicAspire_AppHost>(
            [
                "PHONIC_INFRA=local",
                $"PHONIC_DATA_DIR={_dataDirectory}",
                $"Parameters:phonic-webhook-secret={WebhookSecret}",
                $"Parameters:phonic-operator-key={OperatorKey}",
                $"Phonic:RedisMaxMemory={RedisMaxMemory}",
                $"Phonic:ApiReplicas={_apiReplicas}",
                $"Phonic:WorkerReplicas={_workerReplicas}",
                // The launch profiles turn it on for F5; a stack under test forwards only where a test says so.
                "Phonic:SampleReceiver=false",
                .. _appHostSettings,
            ],
            timeout.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            // Failing probes are expected while servers start; the wait below reports what never became healthy.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddSimpleConsole());

        foreach (var service in builder.Resources.OfType<ProjectResource>().ToArray())
        {
            var resource = builder.CreateResourceBuilder(service);
            foreach (var (name, value) in Telemetry.ExporterEnvironment())
            {
                resource.WithEnvironment(name, value);
            }
        }

        // Straight to Kestrel, without the orchestrator's TCP proxy in between, so tests see exactly what the API does.
        // Replicas share one address only through that proxy, which then balances between them.
        if (_apiReplicas == 1)
        {
            var apiPort = LoopbackPorts.Free();
            builder.CreateResourceBuilder<ProjectResource>("webhookapi").WithEndpoint("http", endpoint =>
            {
                endpoint.IsProxied = false;
                endpoint.Port = apiPort;
                endpoint.TargetPort = apiPort;
            });
        }

        // Notice a reconfigured Redis within a second rather than the production default.
        builder.CreateResourceBuilder<ProjectResource>("webhookapi").WithEnvironment("Phonic__DurabilityCheckInterval", "00:00:01");

        // Reclaim a killed worker's entries after seconds rather than the production default, so crash tests end soon.
        builder.CreateResourceBuilder<ProjectResource>("worker").WithEnvironment("Worker__ClaimIdleTime", ClaimIdleTime.ToString());

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        foreach (var resource in ResourceNames)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        await RunningInstancesAsync("webhookapi", _apiReplicas);
        await RunningInstancesAsync("worker", _workerReplicas);

        StartupDuration = TimeProvider.System.GetElapsedTime(started);
        // Admin: tests reconfigure Redis (CONFIG SET) to show what the API does about it.
        _redis = await ConnectionMultiplexer.ConnectAsync((await _app.GetConnectionStringAsync("redis", timeout.Token)) + ",allowAdmin=true");
    }

    public virtual async Task DisposeAsync()
    {
        _redis?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync().AsTask().WaitAsync(StartupTimeout);
        }

        await Telemetry.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    // Under root (CI) PostgreSQL runs as the postgres user, which must be able to enter the folder.
    private static string CreateDataDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("phonic-tests-");
        if (!OperatingSystem.IsWindows())
        {
            directory.UnixFileMode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        }

        return directory.FullName;
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<PhonicStackFixture>
{
    public const string Name = "Whole stack";
}

/// <summary>One replica of a resource: the id commands go to, and the process the orchestrator started.</summary>
public sealed record ResourceInstance(string Id, int ProcessId);

/// <summary>The stack with two API and three worker processes, as a team that outgrew one of each runs it.</summary>
public sealed class ReplicaStackFixture() : PhonicStackFixture(apiReplicas: 2, workerReplicas: 3);

// Alone, after the others: two stacks at once on two cores would only measure each other.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReplicaStackCollection : ICollectionFixture<ReplicaStackFixture>
{
    public const string Name = "Whole stack with replicas";
}
