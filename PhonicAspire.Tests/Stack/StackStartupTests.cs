using PhonicAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PhonicAspire.Tests.Stack;

[Collection(StackCollection.Name)]
public sealed class StackStartupTests(PhonicStackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_resource_is_running_and_healthy()
    {
        output.WriteLine($"Start-up to all resources healthy: {stack.StartupDuration.TotalSeconds:0.0} s");

        // Waited for rather than read once: a test before this one may have just restored a resource, and the
        // orchestrator's view of its health follows a probe later.
        foreach (var name in PhonicStackFixture.ResourceNames)
        {
            await stack.WaitUntilHealthyAsync(name);
        }
    }

    [Fact]
    public async Task Webhook_api_answers_health()
    {
        using var client = stack.CreateApiClient();

        var (_, body) = await HealthEndpoint.WaitUntilAsync(
            client, answer => answer.Status == System.Net.HttpStatusCode.OK, TimeSpan.FromSeconds(30), "the API's /health to answer 200");

        Assert.Equal("Healthy", body);
    }

    [Fact]
    public void Worker_is_running()
    {
        Assert.True(stack.App.ResourceNotifications.TryGetCurrentState("worker", out var worker));
        Assert.Equal(KnownResourceStates.Running, worker.Snapshot.State?.Text);
    }
}
