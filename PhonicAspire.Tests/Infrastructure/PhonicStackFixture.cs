using System.Net;
using Npgsql;
using PhonicAspire.Testing.Otlp;
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

    public const string WebhookSecret = WebhookSecrets.Fixed;

    /// <summary>The key the dashboard's buttons present to the operator routes; fixed here so tests can present it too.</summary>
    public const string OperatorKey = "operator-key-for-the-tests-0123456789";

    /// <summary>The <c>Phonic:RedisMaxMemory</c> the stack runs with.</summary>
    public const string RedisMaxMemory = "1gb";

    /// <summary>The worker's <c>Worker:ClaimIdleTime</c> here: short, so a killed worker's entries are taken over soon.</summary>
    public static readonly TimeSpan ClaimIdleTime = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How soon the API must refuse a delivery it cannot queue: under the Redis client's 5 s timeout, which an API that
    /// waited on Redis would take, with 2.5 s above its 1 s queue timeout for a loaded machine (a 503 once took 2.9 s
    /// on one also starting a second stack).
    /// </summary>
    public static readonly TimeSpan PromptRefusal = TimeSpan.FromSeconds(3.5);

    /// <summary>The worker's <c>Worker:MaxAttempts</c> (its default).</summary>
    public const int MaxAttempts = 5;

    public static readonly string[] ResourceNames = LocalStack.ResourceNames;

    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(30);

    // The API's Redis client retries every few seconds; well beyond a few of its retries.
    private static readonly TimeSpan ReconnectTimeout = TimeSpan.FromSeconds(30);

    private LocalStack? _stack;

    private LocalStack Stack => _stack ?? throw new InvalidOperationException("The stack has not started.");

    /// <summary>Where the local servers keep their data (<c>PHONIC_DATA_DIR</c>).</summary>
    public string DataDirectory => Stack.DataDirectory;

    /// <summary>Receives the services' traces and metrics over OTLP, as the dashboard would.</summary>
    public OtlpCollector Telemetry { get; } = new();

    public DistributedApplication App => Stack.App;

    public TimeSpan StartupDuration { get; private set; }

    public IDatabase Redis => Stack.Redis.GetDatabase();

    /// <summary>
    /// Runs <paramref name="action"/> with the stack's Redis at a maxmemory of one byte, so every write that may grow it
    /// is refused, and gives Redis back its <see cref="RedisMaxMemory"/> whatever happens.
    /// </summary>
    public async Task WhileRedisIsFullAsync(Func<Task> action)
    {
        await Redis.ExecuteAsync("CONFIG", "SET", "maxmemory", "1");
        try
        {
            await action();
        }
        finally
        {
            await Redis.ExecuteAsync("CONFIG", "SET", "maxmemory", RedisMaxMemory);
        }
    }

    /// <summary>Straight to the API's Kestrel; every call is bounded, so a hung API fails the test that called it.</summary>
    public HttpClient CreateApiClient() => WithTimeout(App.CreateHttpClient(LocalStack.Api));

    public HttpClient CreateWorkerClient() => WithTimeout(App.CreateHttpClient(LocalStack.Worker));

    /// <summary>
    /// Waits until the worker has exported a log record it writes now (the stream-status command's line): the worker
    /// exports its records in the order it writes them, so every record it wrote before has arrived too.
    /// </summary>
    public async Task WaitUntilWorkerLogsExportedAsync()
    {
        const string StreamStatusLog = "Webhook stream: ";
        var exported = Telemetry.LogExportsContaining(StreamStatusLog);
        await ExecuteCommandAsync(LocalStack.Worker, "stream-status");
        await Telemetry.WaitForLogExportsContainingAsync(StreamStatusLog, count => count > exported, TimeSpan.FromSeconds(60));
    }

    /// <summary>A client of a service's operator routes, presenting the operator key as the dashboard's buttons do.</summary>
    public HttpClient CreateOperatorClient(string service)
    {
        var client = WithTimeout(App.CreateHttpClient(service));
        client.DefaultRequestHeaders.Authorization = new("Bearer", OperatorKey);
        return client;
    }

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(Stack.DatabaseConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Clicks a resource's dashboard command, such as <c>resource-stop</c>, and checks that it succeeded in time.</summary>
    public Task ExecuteCommandAsync(string resource, string command) => Stack.ExecuteCommandAsync(resource, command);

    /// <summary>Stops a resource from the dashboard and waits until it has stopped; dispose the outage to start it again.</summary>
    public async Task<ResourceOutage> StopAsync(string resource)
    {
        await ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand);
        await Stack.WaitUntilTerminalAsync(resource, "stopped");
        return new ResourceOutage(this, resource);
    }

    /// <summary>
    /// SIGKILLs every process of a resource at once, as a crash of its machine would, and waits until the
    /// orchestrator has seen it exit; dispose the outage to start it again.
    /// </summary>
    public async Task<ResourceOutage> KillAsync(string resource)
    {
        ResourceProcesses.KillTree(App, resource);
        await Stack.WaitUntilTerminalAsync(resource, "exited");
        return new ResourceOutage(this, resource);
    }

    /// <summary>
    /// Starts a stopped resource and waits until it is running and healthy; for Redis, also until the API is connected
    /// to it again.
    /// </summary>
    public async Task StartAsync(string resource)
    {
        await ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
        await WhenStartedAgainAsync(resource);
    }

    /// <summary>Restarts a resource from the dashboard and waits as <see cref="StartAsync"/> does.</summary>
    public async Task RestartAsync(string resource)
    {
        await ExecuteCommandAsync(resource, KnownResourceCommands.RestartCommand);
        await WhenStartedAgainAsync(resource);
    }

    private async Task WhenStartedAgainAsync(string resource)
    {
        await WaitUntilHealthyAsync(resource);

        // The API's Redis client reconnects on its own schedule, every two seconds or so: the next test's deliveries
        // must find it connected, not get 503 in the gap after a Redis that is already healthy.
        if (resource == "redis")
        {
            using var api = CreateApiClient();
            await HealthEndpoint.WaitUntilAsync(api, answer => answer.Status == HttpStatusCode.OK, ReconnectTimeout,
                "the API to answer /health with 200 once Redis is back");
        }

        // The tests' own pooled connections to a restarted PostgreSQL are dead; the next test must not get one.
        NpgsqlConnection.ClearAllPools();
    }

    /// <inheritdoc cref="LocalStack.LogLinesAsync"/>
    public Task<string[]> LogLinesAsync(string resource) => Stack.LogLinesAsync(resource);

    /// <inheritdoc cref="LocalStack.DescribeWithRecentLogAsync"/>
    public Task<string> DescribeWithRecentLogAsync(string resource) => Stack.DescribeWithRecentLogAsync(resource);

    /// <inheritdoc cref="LocalStack.WaitUntilHealthyAsync"/>
    public Task WaitUntilHealthyAsync(string resource) => Stack.WaitUntilHealthyAsync(resource);

    /// <inheritdoc cref="LocalStack.RunningInstancesAsync"/>
    public Task<IReadOnlyList<ResourceInstance>> RunningInstancesAsync(string resource, int count) =>
        Stack.RunningInstancesAsync(resource, count);

    private static HttpClient WithTimeout(HttpClient client)
    {
        client.Timeout = HttpTimeout;
        return client;
    }

    public async Task InitializeAsync()
    {
        var started = TimeProvider.System.GetTimestamp();
        _stack = await LocalStack.StartAsync(new LocalStackOptions
        {
            ApiReplicas = _apiReplicas,
            WorkerReplicas = _workerReplicas,
            AppHostArguments =
            [
                $"Parameters:phonic-operator-key={OperatorKey}",
                $"Phonic:RedisMaxMemory={RedisMaxMemory}",
                .. _appHostSettings,
            ],
            ServiceEnvironment = Telemetry.ExporterEnvironment(),
            Configure = builder =>
            {
                // Notice a reconfigured Redis within a second rather than the production default.
                builder.CreateResourceBuilder<ProjectResource>(LocalStack.Api).WithEnvironment("Phonic__DurabilityCheckInterval", "00:00:01");

                // Reclaim a killed worker's entries after seconds rather than the production default, so crash tests end soon.
                builder.CreateResourceBuilder<ProjectResource>(LocalStack.Worker).WithEnvironment("Worker__ClaimIdleTime", ClaimIdleTime.ToString());
            },
        });
        StartupDuration = TimeProvider.System.GetElapsedTime(started);
    }

    public virtual async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        await Telemetry.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<PhonicStackFixture>
{
    public const string Name = "Whole stack";
}

/// <summary>The stack with two API and three worker processes, as a team that outgrew one of each runs it.</summary>
public sealed class ReplicaStackFixture() : PhonicStackFixture(apiReplicas: 2, workerReplicas: 3);

// Alone, after the others: two stacks at once on two cores would only measure each other.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ReplicaStackCollection : ICollectionFixture<ReplicaStackFixture>
{
    public const string Name = "Whole stack with replicas";
}
