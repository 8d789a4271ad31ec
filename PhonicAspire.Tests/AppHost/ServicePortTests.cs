namespace PhonicAspire.Tests.AppHost;

/// <summary>The ports the services are reached on when a developer runs the AppHost from its launch profiles.</summary>
public sealed class ServicePortTests
{
    /// <summary>
    /// The orchestrator's proxy listens on each project's launch-profile port: two services given one port leave the
    /// second without a proxy (NotReady), and its URL, health probe and dashboard buttons reach the first instead.
    /// </summary>
    [Fact]
    public async Task Every_service_of_a_launch_profile_run_has_a_port_of_its_own()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.PhonicAspire_AppHost>(
            ["PHONIC_INFRA=containers", "Phonic:SampleReceiver=true", "Parameters:phonic-webhook-secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]);

        var endpoints = builder.Resources.OfType<ProjectResource>()
            .SelectMany(project => project.Annotations.OfType<EndpointAnnotation>().Select(endpoint => (Service: project.Name, endpoint.Port)))
            .ToArray();

        Assert.Contains(endpoints, endpoint => endpoint.Service == "receiver");
        Assert.All(endpoints, endpoint => Assert.NotNull(endpoint.Port));
        Assert.All(endpoints.GroupBy(endpoint => endpoint.Port), sharing => Assert.Single(sharing));
    }
}
