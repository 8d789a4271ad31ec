using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using PhonicAspire.Tests.Infrastructure.Otlp;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// The whole distributed application, started once for every test in <see cref="StackCollection"/>: real Redis
/// and PostgreSQL (local mode) on a throw-away data folder, the real API and worker.
/// </summary>
public sealed class PhonicStackFixture : IAsyncLifetime
{
    public const string WebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    public static readonly string[] ResourceNames = ["redis", "postgres", "phonicdb", "webhookapi", "worker"];

    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(3);

    private readonly string _dataDirectory = CreateDataDirectory();
    private DistributedApplication? _app;
    private ConnectionMultiplexer? _redis;

    /// <summary>Receives the services' traces and metrics over OTLP, as the dashboard would.</summary>
    public OtlpCollector Telemetry { get; } = new();

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The stack has not started.");

    public TimeSpan StartupDuration { get; private set; }

    public IDatabase Redis => (_redis ?? throw new InvalidOperationException("The stack has not started.")).GetDatabase();

    public HttpClient CreateApiClient() => App.CreateHttpClient("webhookapi");

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var connection = new NpgsqlConnection(await App.GetConnectionStringAsync("phonicdb"));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Clicks a resource's dashboard command, such as <c>resource-stop</c>, and checks that it succeeded.</summary>
    public async Task ExecuteCommandAsync(string resource, string command, CancellationToken cancellationToken = default)
    {
        var result = await App.Services.GetRequiredService<ResourceCommandService>()
            .ExecuteCommandAsync(resource, command, cancellationToken);
        Assert.True(result.Success, $"{command} on {resource} failed: {result.Message}");
    }

    public async Task StopAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(StartupTimeout);
        await ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, timeout.Token);
        await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, timeout.Token);
    }

    /// <summary>SIGKILLs a service, as a crash would, and waits until the orchestrator has seen it exit.</summary>
    public async Task KillAsync(string resource, string assemblyName)
    {
        ResourceProcesses.KillService(App, resource, assemblyName);
        using var timeout = new CancellationTokenSource(StartupTimeout);
        await App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, timeout.Token);
    }

    public async Task StartAsync(string resource)
    {
        using var timeout = new CancellationTokenSource(StartupTimeout);
        await ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand, timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
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
            ],
            timeout.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            // Failing probes are expected while servers start; the wait below reports what never became healthy.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddSimpleConsole());

        foreach (var service in new[] { "webhookapi", "worker" })
        {
            var resource = builder.CreateResourceBuilder<ProjectResource>(service);
            foreach (var (name, value) in Telemetry.ExporterEnvironment())
            {
                resource.WithEnvironment(name, value);
            }
        }

        // Straight to Kestrel, without the orchestrator's TCP proxy in between, so tests see exactly what the API does.
        var apiPort = FreeLoopbackPort();
        builder.CreateResourceBuilder<ProjectResource>("webhookapi").WithEndpoint("http", endpoint =>
        {
            endpoint.IsProxied = false;
            endpoint.Port = apiPort;
            endpoint.TargetPort = apiPort;
        });

        // Reclaim a killed worker's entries after seconds rather than the production default, so crash tests end soon.
        builder.CreateResourceBuilder<ProjectResource>("worker").WithEnvironment("Worker__ClaimIdleTime", "00:00:03");

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        foreach (var resource in ResourceNames)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        StartupDuration = TimeProvider.System.GetElapsedTime(started);
        _redis = await ConnectionMultiplexer.ConnectAsync(await _app.GetConnectionStringAsync("redis", timeout.Token) ?? string.Empty);
    }

    public async Task DisposeAsync()
    {
        _redis?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await Telemetry.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
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
