using System.Net;
using PhonicAspire.Tests.Infrastructure;

namespace PhonicAspire.Tests.Stack;

/// <summary>The services on their own, with settings the AppHost would never give them.</summary>
public sealed class ServiceStartupTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(null, "No webhook signing secret is configured")]
    [InlineData("whsec_not!base64!secret-marker", "secret #1 is not valid base64")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_", "secret #2 is empty")]
    public async Task The_api_refuses_to_start_without_a_usable_secret_and_says_why_without_the_secret(string? secrets, string reason)
    {
        var environment = new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LoopbackPorts.Free()}",
            ["ConnectionStrings__redis"] = $"127.0.0.1:{LoopbackPorts.Free()}",
        };
        if (secrets is not null)
        {
            environment["Phonic__WebhookSecrets"] = secrets;
        }

        await using var api = ServiceProcess.Start("PhonicAspire.WebhookApi", environment);

        Assert.NotEqual(0, await api.WaitForExitAsync(ExitTimeout));
        Assert.Contains("Phonic:WebhookSecrets", api.Output, StringComparison.Ordinal);
        Assert.Contains(reason, api.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-marker", api.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", api.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_worker_is_unhealthy_until_its_migrations_are_applied()
    {
        var url = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        await using var worker = ServiceProcess.Start("PhonicAspire.Worker", new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = url,
            // Nothing listens there: the migrations wait for a PostgreSQL that never comes.
            ["ConnectionStrings__phonicdb"] = $"Host=127.0.0.1;Port={LoopbackPorts.Free()};Username=postgres;Password=unused;Database=phonicdb",
            ["ConnectionStrings__redis"] = $"127.0.0.1:{LoopbackPorts.Free()}",
        });

        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };
        var (status, body) = await HealthEndpoint.WaitUntilAsync(
            client, answer => answer.Status != 0, TimeSpan.FromSeconds(60), $"the worker to answer /health; its output: {worker.Output}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Contains("migrations have not been applied", body, StringComparison.Ordinal);
    }
}
