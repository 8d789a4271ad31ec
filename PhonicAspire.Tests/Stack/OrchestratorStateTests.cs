using PhonicAspire.Tests.Infrastructure;

namespace PhonicAspire.Tests.Stack;

/// <summary>What the AppHost keeps seeing of its resources when the orchestrator's own records go wrong.</summary>
[Collection(StackCollection.Name)]
public sealed class OrchestratorStateTests(PhonicStackFixture stack)
{
    /// <summary>
    /// In a CI run, DCP held two Endpoint objects for PostgreSQL's service while it restarted it: Aspire 13.6 looked up
    /// the one Endpoint of each URL of the resource, threw on the second, and its watches over the orchestrator ended,
    /// so no resource's state changed again; the next SIGKILL of PostgreSQL was never seen, nothing restarted it, and
    /// every later test timed out.
    /// </summary>
    [Fact]
    public async Task A_second_endpoint_object_for_postgres_leaves_its_crash_and_restart_seen_and_its_url_shown()
    {
        const string Postgres = "postgres";
        var port = stack.App.GetEndpoint(Postgres, "tcp").Port;
        using var endpoints = await OrchestratorEndpoints.ConnectAsync(Postgres, port);
        var second = await endpoints.CreateSecondAsync();
        try
        {
            Assert.Equal(2, await endpoints.CountAsync());
            await using (await stack.KillAsync(Postgres))
            {
            }
        }
        finally
        {
            await endpoints.DeleteIfPresentAsync(second);
        }

        Assert.True(stack.App.ResourceNotifications.TryGetCurrentState(Postgres, out var current));
        Assert.Single(current.Snapshot.Urls, url => url.Url == $"tcp://localhost:{port}" && !url.IsInactive);
    }
}
