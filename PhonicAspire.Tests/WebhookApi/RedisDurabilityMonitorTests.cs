using System.Globalization;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Tests.Infrastructure.Managed;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Queueing.Durability;
using StackExchange.Redis;

namespace PhonicAspire.Tests.WebhookApi;

/// <summary>The monitor against real redis-servers that take each other's place on one address, as a restart or a failover does.</summary>
[SupportedOSPlatform("linux")]
public sealed class RedisDurabilityMonitorTests : IAsyncLifetime
{
    private static readonly TimeSpan NoticeTimeout = TimeSpan.FromSeconds(15);

    private readonly int _port = LoopbackPorts.Free();
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("phonic-durability-monitor-");
    private ServerProcess? _server;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task After_reconnecting_to_a_redis_that_is_not_durable_nothing_is_acknowledged_before_its_next_reading()
    {
        StartRedis("--appendonly yes --appendfsync always");
        await using var client = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", _port } },
            AbortOnConnectFail = false,
            ConnectTimeout = 1000,
        });
        // The test's clock never moves, so no reading falls due on its own: only the reconnect can make it read again.
        var monitor = new RedisDurabilityMonitor(
            client,
            new RedisDurabilityProbe(client),
            Options.Create(new WebhookOptions()),
            new FakeTimeProvider(),
            NullLogger<RedisDurabilityMonitor>.Instance);
        await monitor.StartAsync(CancellationToken.None);
        try
        {
            await Eventually.ReturnsAsync(() => Task.FromResult(monitor.AllowsAcknowledging), allows => allows, NoticeTimeout, "the first reading");

            await _server!.DisposeAsync();
            _server = null;
            StartRedis("--appendonly no");
            await Eventually.ReturnsAsync(() => Task.FromResult(client.IsConnected), connected => connected, NoticeTimeout, "the client to reconnect");

            await Eventually.ReturnsAsync(
                () => Task.FromResult(monitor.AllowsAcknowledging), allows => !allows, NoticeTimeout, "acknowledging to stop on the new server");
            var health = await monitor.CheckHealthAsync(new());
            Assert.Contains("appendonly is 'no'", health.Description, StringComparison.Ordinal);
        }
        finally
        {
            await monitor.StopAsync(CancellationToken.None);
        }
    }

    private void StartRedis(string settings) => _server = ServerProcess.Start("redis-server",
        ["--port", _port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory.FullName, "--save", "", .. settings.Split(' ')]);
}
