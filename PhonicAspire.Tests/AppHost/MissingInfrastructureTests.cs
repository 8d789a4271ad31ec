namespace PhonicAspire.Tests.AppHost;

/// <summary>
/// A machine with neither a container runtime nor the servers, or whose PostgreSQL cannot serve the local cluster:
/// the AppHost must say so in one line and exit at once, not wait for resources that will never start.
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

    // The servers are the machine's own: Debian's PostgreSQL, which CI and scripts/run install (elsewhere the check has no
    // version to compare, and this waits out AppHostProcess's bound). The cluster claims a major version no machine
    // has. Before, PostgreSQL exited at each start and the stack waited for it with no word on the console.
    [Fact]
    public async Task AppHost_exits_at_once_with_one_clear_line_when_the_local_cluster_was_made_by_a_PostgreSQL_the_machine_lacks()
    {
        var data = Directory.CreateTempSubdirectory("phonic-data-");
        try
        {
            var cluster = Directory.CreateDirectory(Path.Combine(data.FullName, "postgres")).FullName;
            File.WriteAllText(Path.Combine(cluster, "PG_VERSION"), "99\n");

            var (exitCode, output, error) = await AppHostProcess.RunAsync(new Dictionary<string, string>
            {
                ["PHONIC_INFRA"] = "local",
                ["PHONIC_DATA_DIR"] = data.FullName,
            });

            Assert.Equal(1, exitCode);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"The local PostgreSQL cluster in {cluster} was made by PostgreSQL 99, and the server this machine would run is", line, StringComparison.Ordinal);
            Assert.Empty(output.Trim());
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }
}
