using System.Diagnostics;
using System.Net;
using PhonicAspire.AppHost.Infrastructure.Local;
using PhonicAspire.Tests.Infrastructure;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// A local PostgreSQL stopped or restarted from the dashboard ends as its container does, with a fast shutdown, while
/// the worker holds pooled connections to it: the orchestrator's own signal (SIGTERM) is PostgreSQL's smart shutdown,
/// which waits for those connections to leave, and they do not.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class LocalServerStopTests(PhonicStackFixture stack)
{
    private const string Postgres = "postgres";
    private static readonly TimeSpan LogTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Postgres_stopped_from_the_dashboard_shuts_down_cleanly_while_the_worker_holds_connections_to_it()
    {
        await StoreADeliveryAsync();

        await using (await stack.StopAsync(Postgres))
        {
            // What the cluster's control file says once the server is gone: "shut down" only after a shutdown's
            // checkpoint, "in production" after a kill, and recovery at the next start.
            Assert.Contains("Database cluster state:               shut down\n", await ControlDataAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Postgres_restarted_from_the_dashboard_starts_again_without_recovering_from_its_wal()
    {
        await StoreADeliveryAsync();

        await stack.RestartAsync(Postgres);

        // The server says at each start how the last one ended: "was shut down" after a clean stop, "was interrupted"
        // and "was not properly shut down" (then its recovery) after a kill.
        var restart = await Eventually.ReturnsAsync(
            async () => SinceLastRestart(await stack.LogLinesAsync(Postgres)),
            lines => lines.Any(line => line.Contains("database system is ready to accept connections", StringComparison.Ordinal)),
            LogTimeout,
            "the restarted server to accept connections");
        var howTheLastRunEnded = restart.Last(line => line.Contains("database system was ", StringComparison.Ordinal));
        Assert.Contains("database system was shut down at", howTheLastRunEnded, StringComparison.Ordinal);
    }

    // The orchestrator writes each command it runs among the resource's own lines.
    private static string[] SinceLastRestart(string[] log)
    {
        var restart = Array.FindLastIndex(log, line => line.Contains($"Executing command '{KnownResourceCommands.RestartCommand}'", StringComparison.Ordinal));
        return restart < 0 ? [] : log[(restart + 1)..];
    }

    // A delivery stored first, so that the worker holds pooled connections to the server.
    private async Task StoreADeliveryAsync()
    {
        using var api = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        using (var response = await api.SendAsync(webhook.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    private async Task<string> ControlDataAsync()
    {
        var cluster = LocalPostgresCluster.Folder(stack.DataDirectory, Postgres);
        Assert.True(LocalServerBinaries.TryLocate(cluster, out var binaries, out var missing), missing);
        var controlData = Path.Combine(Path.GetDirectoryName(binaries.Postgres)!, "pg_controldata");
        var (exitCode, output, error) = await CommandRun.RunAsync(new ProcessStartInfo(controlData, ["-D", cluster]), TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, $"pg_controldata exited with {exitCode}: {error}");
        return output;
    }
}
