using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.Stack;

/// <summary>
/// The real distributed application in local mode (the machine's redis-server and postgres) on a throw-away data
/// folder, started as the whole-stack tests start it. The API's endpoint is not proxied, so that load goes
/// straight to Kestrel as it would behind a real load balancer rather than through DCP's proxy.
/// </summary>
public sealed class PhonicStack : IAsyncDisposable
{
    public const string Api = "webhookapi";
    public const string Worker = "worker";
    public const string ApiAssembly = "PhonicAspire.WebhookApi";
    public const string WorkerAssembly = "PhonicAspire.Worker";

    private static readonly string[] Resources = ["redis", "postgres", "phonicdb", Api, Worker];
    private static readonly TimeSpan StartupLimit = TimeSpan.FromMinutes(3);

    private readonly DistributedApplication _app;
    private readonly TemporaryDataDirectory _data;

    private PhonicStack(DistributedApplication app, TemporaryDataDirectory data, string secret, Uri apiAddress,
        ConnectionMultiplexer redis, string databaseConnectionString)
    {
        _app = app;
        _data = data;
        WebhookSecret = secret;
        ApiAddress = apiAddress;
        Redis = redis;
        DatabaseConnectionString = databaseConnectionString;
    }

    public string WebhookSecret { get; }

    public Uri ApiAddress { get; }

    public ConnectionMultiplexer Redis { get; }

    public string DatabaseConnectionString { get; }

    public ServiceProcesses Processes => new(_app);

    public static async Task<PhonicStack> StartAsync(CancellationToken cancellationToken)
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

            var redis = await ConnectionMultiplexer.ConnectAsync(await app.GetConnectionStringAsync("redis", startup.Token) ?? "");
            var database = await app.GetConnectionStringAsync("phonicdb", startup.Token)
                ?? throw new InvalidOperationException("phonicdb has no connection string.");
            return new PhonicStack(app, data, secret, app.GetEndpoint(Api, "http"), redis, database);
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
    /// SIGKILLs a service and waits until the orchestrator has seen it exit. Not the dashboard's Stop: the worker's
    /// graceful shutdown outlasts DCP's stop timeout, so that command fails; an idle worker loses nothing to a kill.
    /// </summary>
    public async Task KillAsync(string resource, string assemblyName, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartupLimit);
        using (var service = Process.GetProcessById(Processes.ServiceOf(resource, assemblyName)))
        {
            service.Kill();
            await service.WaitForExitAsync(limit.Token);
        }

        await _app.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.TerminalStates, limit.Token);
    }

    /// <summary>Asks the orchestrator to start a stopped service; returns as soon as it has accepted the command.</summary>
    public Task StartAsync(string resource, CancellationToken cancellationToken) =>
        ExecuteAsync(resource, KnownResourceCommands.StartCommand, cancellationToken);

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
}
