using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The stack has not started.");

    public TimeSpan StartupDuration { get; private set; }

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

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);

        foreach (var resource in ResourceNames)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }

        StartupDuration = TimeProvider.System.GetElapsedTime(started);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

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
