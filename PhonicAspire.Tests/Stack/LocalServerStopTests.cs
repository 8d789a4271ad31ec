using System.Diagnostics;
using System.Net;
using PhonicAspire.AppHost.Infrastructure.Local;
using PhonicAspire.Tests.Infrastructure;

namespace PhonicAspire.Tests.Stack;

/// <summary>The local servers stopped from the dashboard end as their containers do: cleanly, whoever is connected.</summary>
[Collection(StackCollection.Name)]
public sealed class LocalServerStopTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task Postgres_stopped_from_the_dashboard_shuts_down_cleanly_while_the_worker_holds_connections_to_it()
    {
        // A delivery stored first, so the worker holds pooled connections: PostgreSQL's smart shutdown (SIGTERM) waits
        // for them to leave, and they do not, where the container's stop signal (SIGINT) is a fast shutdown.
        using var api = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        using (var response = await api.SendAsync(webhook.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));

        await using (await stack.StopAsync("postgres"))
        {
            // What the cluster's control file says once the server is gone: "shut down" only after a shutdown's
            // checkpoint, "in production" after a kill, and recovery at the next start.
            Assert.Contains("Database cluster state:               shut down\n", await ControlDataAsync(), StringComparison.Ordinal);
        }
    }

    private async Task<string> ControlDataAsync()
    {
        var cluster = LocalPostgresCluster.Folder(stack.DataDirectory, "postgres");
        Assert.True(LocalServerBinaries.TryLocate(cluster, out var binaries, out var missing), missing);
        var controlData = Path.Combine(Path.GetDirectoryName(binaries.Postgres)!, "pg_controldata");
        var (exitCode, output, error) = await CommandRun.RunAsync(new ProcessStartInfo(controlData, ["-D", cluster]), TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, $"pg_controldata exited with {exitCode}: {error}");
        return output;
    }
}
