namespace PhonicAspire.Tests.AppHost;

/// <summary>
/// A machine with neither a container runtime nor the servers: the AppHost must say so in one line and exit at
/// once, not wait for resources that will never start.
/// </summary>
public sealed class MissingInfrastructureTests
{
    [Theory]
    [InlineData("auto", "No container runtime answers")]
    [InlineData("local", "PHONIC_INFRA=local, but")]
    [InlineData("sideways", "PHONIC_INFRA='sideways' is not a mode")]
    public async Task AppHost_exits_at_once_with_one_clear_line(string mode, string expected)
    {
        var (exitCode, output, error) = await AppHostProcess.RunAsync(new Dictionary<string, string>
        {
            // Nothing on PATH: no docker, no redis-server, whatever the machine has installed.
            ["PATH"] = "/nonexistent",
            ["PHONIC_INFRA"] = mode,
            ["ASPIRE_CONTAINER_RUNTIME"] = "docker",
        });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Empty(output.Trim());
    }
}
