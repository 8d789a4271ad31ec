using System.Globalization;
using System.IO.Pipelines;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Tests.Infrastructure.Managed;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Queueing.Durability;
using StackExchange.Redis;

namespace PhonicAspire.Tests.WebhookApi;

/// <summary>
/// Acknowledging against real redis-servers that take each other's place on one address, as a restart with other
/// settings or a failover does: what was read of the server before says nothing of the one after.
/// </summary>
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
    public async Task After_reconnecting_to_another_redis_nothing_is_acknowledged_until_its_settings_are_read_which_is_at_once()
    {
        StartRedis("--appendonly yes --appendfsync always");
        await using var client = await ConnectAsync();
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

            await SwapForAsync("--appendonly no", client);

            Assert.False(monitor.AllowsAcknowledging, "acknowledging on the reading of the server before");
            await Eventually.ReturnsAsync(() => Task.FromResult(monitor.HasReadRedis), read => read, NoticeTimeout, "the new server's settings to be read");
            Assert.False(monitor.AllowsAcknowledging);
            var health = await monitor.CheckHealthAsync(new());
            Assert.Contains("appendonly is 'no'", health.Description, StringComparison.Ordinal);
        }
        finally
        {
            await monitor.StopAsync(CancellationToken.None);
            monitor.Dispose();
        }
    }

    // A durable server after the change too, where only the count of connection changes refuses: the receiver cannot
    // tell which server an append reached, so any change between a delivery's admission and its answer refuses it,
    // and Svix's retry finds it stored or stores it.
    [Theory]
    [InlineData("--appendonly no")]
    [InlineData("--appendonly yes --appendfsync always")]
    public async Task A_delivery_let_in_before_the_connection_changed_is_not_acknowledged_on_the_server_it_reaches_after(string nextServer)
    {
        StartRedis("--appendonly yes --appendfsync always");
        await using var client = await ConnectAsync();
        await using var api = await ReceiverOverRedis.StartAsync(client);
        var body = Encoding.UTF8.GetBytes("""{"event_type":"conversation.ended","data":{"conversation":{"id":"conv_swapped"}}}""");
        var arriving = new Pipe();
        await arriving.Writer.WriteAsync(body.AsMemory(0, body.Length / 2));
        // Let in on the durable server's reading; its body then takes as long as the swap, as a slow upload can.
        var answering = api.Receiver.ReceiveAsync(api.SignedDelivery(body, arriving.Reader.AsStream()));

        await SwapForAsync(nextServer, client);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(api.Durability.HasReadRedis), read => read, NoticeTimeout, "the new server's settings to be read");
        await arriving.Writer.WriteAsync(body.AsMemory(body.Length / 2));
        await arriving.Writer.CompleteAsync();

        var problem = Assert.IsType<ProblemHttpResult>(await answering.WaitAsync(NoticeTimeout));
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, problem.StatusCode);
        Assert.Equal("urn:phonic-aspire:problem:queue-not-durable", problem.ProblemDetails.Type);
    }

    // As the API connects: failing at once while Redis is away rather than queueing commands for the reconnect.
    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var client = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", _port } },
            AbortOnConnectFail = false,
            BacklogPolicy = BacklogPolicy.FailFast,
            ConnectTimeout = 1000,
            AllowAdmin = true,
        });
        await Eventually.ReturnsAsync(() => Task.FromResult(client.IsConnected), connected => connected, NoticeTimeout, "redis-server to accept the client");
        return client;
    }

    // Another server in the place of the one before, on the same address, once the client has reconnected to it (the
    // monitor, subscribed before the test, has then counted the change).
    private async Task SwapForAsync(string settings, IConnectionMultiplexer client)
    {
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventHandler<ConnectionFailedEventArgs> onRestored = (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Interactive)
            {
                restored.TrySetResult();
            }
        };
        client.ConnectionRestored += onRestored;
        try
        {
            await _server!.DisposeAsync();
            _server = null;
            StartRedis(settings);
            await restored.Task.WaitAsync(NoticeTimeout);
        }
        finally
        {
            client.ConnectionRestored -= onRestored;
        }
    }

    private void StartRedis(string settings) => _server = ServerProcess.Start("redis-server",
        ["--port", _port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory.FullName, "--save", "", .. settings.Split(' ')]);
}
