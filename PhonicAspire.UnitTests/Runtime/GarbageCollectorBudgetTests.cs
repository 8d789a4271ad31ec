using System.Globalization;

namespace PhonicAspire.UnitTests.Runtime;

public sealed class GarbageCollectorBudgetTests
{
    // As Directory.Build.props sets it for every process of the solution, this test host among them.
    private const long CappedGen0BudgetBytes = 2 * 1024 * 1024;

    [Fact]
    public void The_runtime_takes_the_gen0_budget_cap_from_the_runtime_configuration_whatever_the_machines_cache()
    {
        // The garbage collector reports the budget it settled on, after the cap: without one it follows the processor's
        // last-level cache (80 MiB on a machine with 260 MiB of L3). A key the runtime does not read would leave that.
        var budget = GC.GetConfigurationVariables()["GCGen0MaxBudget"];

        Assert.Equal(CappedGen0BudgetBytes, Convert.ToInt64(budget, CultureInfo.InvariantCulture));
    }
}
