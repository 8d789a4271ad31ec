using Microsoft.Extensions.Diagnostics.HealthChecks;
using PhonicAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PhonicAspire.Tests.Stack;

[Collection(StackCollection.Name)]
public sealed class StackStartupTests(PhonicStackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public void Every_resource_is_healthy()
    {
        output.WriteLine($"Start-up to all resources healthy: {stack.StartupDuration.TotalSeconds:0.0} s");
        foreach (var name in PhonicStackFixture.ResourceNames)
        {
            Assert.True(stack.App.ResourceNotifications.TryGetCurrentState(name, out var resource), $"'{name}' has no state.");
            Assert.Equal(HealthStatus.Healthy, resource.Snapshot.HealthStatus);
        }
    }

    [Fact]
    public async Task Webhook_api_answers_health()
    {
        using var client = stack.App.CreateHttpClient("webhookapi");
        using var response = await client.GetAsync("/health");

        response.EnsureSuccessStatusCode();
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Worker_is_running()
    {
        Assert.True(stack.App.ResourceNotifications.TryGetCurrentState("worker", out var worker));
        Assert.Equal(KnownResourceStates.Running, worker.Snapshot.State?.Text);
    }
}
