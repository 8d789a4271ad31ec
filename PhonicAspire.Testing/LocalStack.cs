using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PhonicAspire.Testing;

/// <summary>
/// The real distributed application in local mode (the machine's redis-server and postgres) on a throw-away data
/// folder, for whole-stack tests and benchmarks alike. With one process of a service (the API, the worker) its
/// endpoint is not proxied, so requests go straight to Kestrel, as behind a real load balancer, and a test sees
/// exactly what the service does; replicas share one address only through the orchestrator's proxy, which then
/// balances between them.
/// </summary>
public sealed partial class LocalStack : IAsyncDisposable
{
    public const string Api = "webhookapi";
    public const string Worker = "worker";
    public const string ApiAssembly = "PhonicAspire.WebhookApi";
    public const string WorkerAssembly = "PhonicAspire.Worker";

    public static readonly string[] ResourceNames = ["redis", "postgres", "phonicdb", Api, Worker];

    /// <summary>What the services answer as long as their process is alive (ServiceDefaults' liveness route).</summary>
    private const string AlivenessPath = "/alive";

    /// <summary>How much of a service's log a failure description carries.</summary>
    private const int RecentLogLines = 30;

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan ResourceTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LogReadTimeout = TimeSpan.FromSeconds(30);

    private readonly TemporaryDataDirectory _data;
    private readonly OrchestratorWatchLoss _watchLoss;
    private ConnectionMultiplexer? _redis;
    private string? _databaseConnectionString;

    private LocalStack(DistributedApplication app, TemporaryDataDirectory data, OrchestratorWatchLoss watchLoss, string webhookSecret)
    {
        App = app;
        _data = data;
        _watchLoss = watchLoss;
        WebhookSecret = webhookSecret;
    }

    public DistributedApplication App { get; }

    /// <summary>Where the local servers keep their data (<c>PHONIC_DATA_DIR</c>).</summary>
    public string DataDirectory => _data.Path;

    public string WebhookSecret { get; }

    public Uri ApiAddress => App.GetEndpoint(Api, "http");

    /// <summary>A connection with admin commands allowed: tests reconfigure Redis (CONFIG SET) to see what the API does about it.</summary>
    public ConnectionMultiplexer Redis => _redis ?? throw new InvalidOperationException("The stack has not started.");

    public string DatabaseConnectionString => _databaseConnectionString ?? throw new InvalidOperationException("The stack has not started.");

    /// <summary>Starts every resource and waits, with a bound, until all are running and healthy.</summary>
    public static async Task<LocalStack> StartAsync(LocalStackOptions options, CancellationToken cancellationToken = default)
    {
        var watchLoss = new OrchestratorWatchLoss(TimeProvider.System);
        using var startup = watchLoss.Bound(StartupTimeout, cancellationToken);

        var data = TemporaryDataDirectory.Create();
        DistributedApplication? app = null;
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.PhonicAspire_AppHost>(
                [
                    "PHONIC_INFRA=local",
                    $"PHONIC_DATA_DIR={data.Path}",
                    $"Parameters:phonic-webhook-secret={options.WebhookSecret}",
                    $"Phonic:ApiReplicas={options.ApiReplicas}",
                    $"Phonic:WorkerReplicas={options.WorkerReplicas}",
                    // The launch profiles turn it on for F5; a stack under test or measured forwards only where told to.
                    "Phonic:SampleReceiver=false",
                    .. options.AppHostArguments,
                ],
                startup.Token);
            builder.Services.AddLogging(logging =>
            {
                logging.AddProvider(watchLoss);
                logging.SetMinimumLevel(LogLevel.Warning)
                    // Failing probes are expected while servers start; the wait below reports what never became healthy.
                    .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
                    .AddSimpleConsole(console => console.TimestampFormat = "HH:mm:ss.fff ");
                if (options.ShowResourceLogs)
                {
                    // The orchestrator's own account of each process it starts and of each service (the proxy in front
                    // of a project) turning Ready or NotReady: a few lines a start, read beside a resource that was
                    // running but never healthy.
                    logging.AddFilter("Aspire.Hosting.Dcp.dcp.ExecutableReconciler", LogLevel.Debug)
                        .AddFilter("Aspire.Hosting.Dcp.dcp.ServiceReconciler", LogLevel.Debug);
                }
                else
                {
                    logging.AddFilter("PhonicAspire.AppHost.Resources", LogLevel.None);
                }
            });

            // The orchestrator's proxy is not part of the product, and after a SIGKILLed worker's restart it has twice
            // forwarded nothing for two minutes while the worker answered on its own port.
            foreach (var (service, replicas) in new[] { (Api, options.ApiReplicas), (Worker, options.WorkerReplicas) })
            {
                if (replicas == 1)
                {
                    var port = LoopbackPorts.Free();
                    builder.CreateResourceBuilder<ProjectResource>(service).WithEndpoint("http", endpoint =>
                    {
                        endpoint.IsProxied = false;
                        endpoint.Port = port;
                        endpoint.TargetPort = port;
                    });
                }
            }

            foreach (var service in builder.Resources.OfType<ProjectResource>().ToArray())
            {
                var resource = builder.CreateResourceBuilder(service);
                foreach (var (name, value) in options.ServiceEnvironment)
                {
                    resource.WithEnvironment(name, value);
                }
            }

            options.Configure?.Invoke(builder);

            app = await builder.BuildAsync(startup.Token);
            await app.StartAsync(startup.Token);
            foreach (var resource in ResourceNames)
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, startup.Token);
            }

            var stack = new LocalStack(app, data, watchLoss, options.WebhookSecret);
            await stack.RunningInstancesAsync(Api, options.ApiReplicas);
            await stack.RunningInstancesAsync(Worker, options.WorkerReplicas);
            stack._redis = await ConnectionMultiplexer.ConnectAsync(
                (await app.GetConnectionStringAsync("redis", startup.Token)) + ",allowAdmin=true");
            stack._databaseConnectionString = await app.GetConnectionStringAsync("phonicdb", startup.Token)
                ?? throw new InvalidOperationException("phonicdb has no connection string.");
            return stack;
        }
        catch (Exception exception)
        {
            // Read before the shutdown below, which may itself end a watch.
            var watchLost = watchLoss.IsLost;
            if (app is not null)
            {
                await app.DisposeAsync().AsTask().WaitAsync(StartupTimeout, CancellationToken.None);
            }

            data.Dispose();
            if (exception is OperationCanceledException && watchLost && !cancellationToken.IsCancellationRequested)
            {
                throw watchLoss.Explain("its resources start");
            }

            throw;
        }
    }

    /// <summary>Runs a resource's dashboard command, such as <c>resource-stop</c>, and checks that it succeeded in time.</summary>
    public async Task ExecuteCommandAsync(string resource, string command, CancellationToken cancellationToken = default)
    {
        using var timeout = _watchLoss.Bound(CommandTimeout, cancellationToken);
        ExecuteCommandResult result;
        try
        {
            result = await App.Services.GetRequiredService<ResourceCommandService>()
                .ExecuteCommandAsync(resource, command, timeout.Token)
                .WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (_watchLoss.IsLost && !cancellationToken.IsCancellationRequested)
        {
            throw _watchLoss.Explain($"{command} on {resource} finish");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{command} on {resource} did not finish within {CommandTimeout.TotalSeconds:0} s; {await DescribeAsync(resource)}.");
        }

        if (!result.Success)
        {
            throw new InvalidOperationException($"{command} on {resource} failed: {result.Message}");
        }
    }

    /// <summary>
    /// Waits until the resource is running and healthy. The transient states of a restart (starting, a failed
    /// first health probe, even a start the orchestrator retries) do not end the wait; only its bound does.
    /// </summary>
    public Task WaitUntilHealthyAsync(string resource) => WaitForStateAsync(
        resource,
        snapshot => snapshot.State?.Text == KnownResourceStates.Running && snapshot.HealthStatus == HealthStatus.Healthy,
        "running and healthy");

    /// <summary>Waits until the resource has stopped or exited.</summary>
    public Task WaitUntilTerminalAsync(string resource, string what) => WaitForStateAsync(
        resource, snapshot => KnownResourceStates.TerminalStates.Contains(snapshot.State?.Text), what);

    /// <summary>
    /// Waits until <paramref name="count"/> instances (replicas) of a resource are running and healthy, and returns
    /// the id (what commands are sent to) and the process the orchestrator started for each.
    /// </summary>
    public async Task<IReadOnlyList<ResourceInstance>> RunningInstancesAsync(string resource, int count)
    {
        using var timeout = _watchLoss.Bound(ResourceTimeout);
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
                        instance.Value.Properties.Single(property => property.Name == "executable.pid").Value, CultureInfo.InvariantCulture)))];
                }
            }
        }
        catch (OperationCanceledException) when (_watchLoss.IsLost)
        {
            throw _watchLoss.Explain($"{count} instances of '{resource}' running and healthy");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }

        var descriptions = new List<string>();
        foreach (var (id, snapshot) in instances)
        {
            descriptions.Add(await ResourceDescription.WithProbesAsync(id, snapshot, AlivenessPath));
        }

        throw new TimeoutException($"{count} instances of '{resource}' were not running and healthy within {ResourceTimeout.TotalSeconds:0} s: " +
            string.Join("; ", descriptions));
    }

    public async ValueTask DisposeAsync()
    {
        _redis?.Dispose();
        await App.DisposeAsync().AsTask().WaitAsync(StartupTimeout);
        _data.Dispose();
    }

    private async Task WaitForStateAsync(string resource, Func<CustomResourceSnapshot, bool> reached, string what)
    {
        using var timeout = _watchLoss.Bound(ResourceTimeout);
        try
        {
            await App.ResourceNotifications.WaitForResourceAsync(resource, resourceEvent => reached(resourceEvent.Snapshot), timeout.Token);
        }
        catch (OperationCanceledException) when (_watchLoss.IsLost)
        {
            throw _watchLoss.Explain($"'{resource}' {what}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"'{resource}' was not {what} within {ResourceTimeout.TotalSeconds:0} s: {await DescribeAsync(resource)}.");
        }
    }

    /// <summary>
    /// <see cref="DescribeAsync"/> and the last lines the resource's processes wrote (with replicas, theirs mixed): a
    /// test that finds a service gone or unanswering reports the service's own account of it (an exception, a
    /// shutdown) beside its state.
    /// </summary>
    public async Task<string> DescribeWithRecentLogAsync(string resource)
    {
        var target = ModelResource(resource);
        var recent = new Queue<string>(RecentLogLines);
        var reading = ReadRecentLogAsync(target, recent);
        string tail;
        try
        {
            // Bounded here rather than by a token: with replicas, Aspire merges the instances' logs without passing one on.
            await reading.WaitAsync(LogReadTimeout);
            tail = string.Join(" | ", recent);
        }
        catch (TimeoutException)
        {
            tail = $"(still being read after {LogReadTimeout.TotalSeconds:0} s)";
        }

        return $"{await DescribeAsync(resource)}; its last {RecentLogLines} log lines: {tail}";
    }

    /// <summary>Every line a resource of one instance has written so far, its own account of what it did.</summary>
    public async Task<string[]> LogLinesAsync(string resource)
    {
        var lines = new List<string>();
        await ReadLogAsync(ModelResource(resource), lines.Add).WaitAsync(LogReadTimeout);
        return [.. lines];
    }

    private Task ReadRecentLogAsync(IResource resource, Queue<string> recent) => ReadLogAsync(resource, line =>
    {
        if (recent.Count == RecentLogLines)
        {
            recent.Dequeue();
        }

        recent.Enqueue(line);
    });

    private async Task ReadLogAsync(IResource resource, Action<string> read)
    {
        await foreach (var lines in App.Services.GetRequiredService<ResourceLoggerService>().GetAllAsync(resource))
        {
            foreach (var line in lines)
            {
                read(ConsoleColors().Replace(line.Content, string.Empty));
            }
        }
    }

    private IResource ModelResource(string name) =>
        App.Services.GetRequiredService<DistributedApplicationModel>().Resources.Single(candidate => candidate.Name == name);

    /// <summary>A resource as <see cref="ResourceDescription"/> sees it; a service's ports are probed too.</summary>
    private async Task<string> DescribeAsync(string resource) =>
        resource is Api or Worker && App.ResourceNotifications.TryGetCurrentState(resource, out var current)
            ? await ResourceDescription.WithProbesAsync(resource, current.Snapshot, AlivenessPath)
            : ResourceDescription.Of(App, resource);

    // The services' console logger colours each level; the escapes are noise in a failure message.
    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex ConsoleColors();
}
