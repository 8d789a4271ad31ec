using System.Diagnostics;

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
        var appHost = Path.Combine(AppContext.BaseDirectory, "PhonicAspire.AppHost.dll");
        var start = new ProcessStartInfo(Environment.ProcessPath!, [appHost])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment =
            {
                // Nothing on PATH: no docker, no redis-server, whatever the machine has installed.
                ["PATH"] = "/nonexistent",
                ["PHONIC_INFRA"] = mode,
                ["ASPIRE_CONTAINER_RUNTIME"] = "docker",
            },
        };

        using var process = Process.Start(start)!;
        var standardError = process.StandardError.ReadToEndAsync();
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single((await standardError).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Empty((await standardOutput).Trim());
    }
}
