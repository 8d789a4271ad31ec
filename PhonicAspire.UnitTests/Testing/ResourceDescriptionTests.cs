using System.Collections.Immutable;
using Aspire.Hosting.ApplicationModel;
using PhonicAspire.Testing;

namespace PhonicAspire.UnitTests.Testing;

public sealed class ResourceDescriptionTests
{
    [Fact]
    public void A_running_resource_is_described_with_each_of_its_processes_and_its_scheduler_state()
    {
        var snapshot = new CustomResourceSnapshot
        {
            ResourceType = "Project",
            State = KnownResourceStates.Running,
            Properties = [new ResourcePropertySnapshot("executable.pid", Environment.ProcessId)],
        };

        var description = ResourceDescription.Of("worker", snapshot);

        Assert.StartsWith("'worker' is Running, health Healthy, exit code none, processes: ", description);
        Assert.Matches($@"processes: {Environment.ProcessId} [RSD] '[^']*dotnet[^']*'", description);
    }

    [Fact]
    public void A_resource_the_orchestrator_has_not_launched_says_so()
    {
        var snapshot = new CustomResourceSnapshot { ResourceType = "Project", Properties = ImmutableArray<ResourcePropertySnapshot>.Empty, ExitCode = 137 };

        Assert.Equal("'worker' is in no state yet, health unknown, exit code 137, processes: none launched", ResourceDescription.Of("worker", snapshot));
    }
}
