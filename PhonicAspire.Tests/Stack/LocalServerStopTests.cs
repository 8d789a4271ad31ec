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
            Assert.Matches(ClusterState("shut down"), await ControlDataAsync());
        }
    }

    [Fact]
    public async Task Postgres_restarted_from_the_dashboard_starts_again_without_recovering_from_its_wal()
    {
        await StoreADeliveryAsync();

        await stack.RestartAsync(Postgres);

        // The server says at each start how the last one ended: "was shut down" after a clean stop, "was interrupted"
        // and "was not properly shut down" (then its recovery) after a kill. Its lines begin with the pid of the
        // process that wrote them, the postmaster's for its start.
        var server = ResourceProcesses.LauncherOf(stack.App, Postgres);
        var howTheLastRunEnded = await Eventually.ReturnsAsync(
            async () => LineAfter(await stack.LogLinesAsync(Postgres), $"[{server}] LOG:  starting PostgreSQL", "database system was "),
            line => line is not null,
            LogTimeout,
            $"the restarted server (pid {server}) to say how the last run ended");
        Assert.Contains("database system was shut down at", howTheLastRunEnded, StringComparison.Ordinal);
    }

    // The first line holding `wanted` after the last one holding `after`.
    private static string? LineAfter(string[] log, string after, string wanted)
    {
        var from = Array.FindLastIndex(log, line => line.Contains(after, StringComparison.Ordinal));
        return from < 0 ? null : log.Skip(from + 1).FirstOrDefault(line => line.Contains(wanted, StringComparison.Ordinal));
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

    private static string ClusterState(string state) => $@"(?m)^Database cluster state:\s+{state}$";

    private async Task<string> ControlDataAsync()
    {
        var cluster = LocalPostgresCluster.Folder(stack.DataDirectory, Postgres);
        Assert.True(LocalServerBinaries.TryLocate(cluster, out var binaries, out var missing), missing);
        var controlData = new ProcessStartInfo(Path.Combine(Path.GetDirectoryName(binaries.Postgres)!, "pg_controldata"), ["-D", cluster])
        {
            // Its labels and states are translated otherwise.
            Environment = { ["LC_ALL"] = "C" },
        };
        var (exitCode, output, error) = await CommandRun.RunAsync(controlData, TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, $"pg_controldata exited with {exitCode}: {error}");
        return output;
    }
}
