using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PhonicAspire.ServiceDefaults.Telemetry;

namespace PhonicAspire.UnitTests.ServiceDefaults;

public sealed class TelemetryShutdownTests
{
    [Fact]
    public async Task A_service_whose_collector_never_answers_stops_within_the_telemetry_budget()
    {
        // Accepts the exporters' connections and never answers them, as a collector that hangs would.
        using var collector = new TcpListener(IPAddress.Loopback, 0);
        collector.Start();
        var accepted = new List<Socket>();
        using var stopAccepting = new CancellationTokenSource();
        var accepting = AcceptForeverAsync(collector, accepted, stopAccepting.Token);

        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{((IPEndPoint)collector.LocalEndpoint).Port}";
        builder.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        builder.ConfigureOpenTelemetry();
        using var host = builder.Build();
        await host.StartAsync();
        host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("telemetry-shutdown").LogWarning("A record the log exporter holds until the stop");

        var stopping = Stopwatch.StartNew();
        await host.StopAsync();
        host.Dispose();
        stopping.Stop();

        await stopAccepting.CancelAsync();
        await accepting;
        foreach (var socket in accepted)
        {
            socket.Dispose();
        }

        // Each provider's own disposal waits up to 5 s for an export that never ends: 10 s and more without the budget.
        // The room above it is for a busy machine, and still far from 10 s.
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TelemetryShutdown.Budget + TimeSpan.FromSeconds(3));
    }

    private static async Task AcceptForeverAsync(TcpListener listener, List<Socket> accepted, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                accepted.Add(await listener.AcceptSocketAsync(cancellationToken));
            }
        }
        catch (OperationCanceledException)
        {
            // The test is done with the collector.
        }
    }
}
