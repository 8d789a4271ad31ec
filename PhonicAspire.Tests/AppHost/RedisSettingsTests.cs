using System.Diagnostics;

namespace PhonicAspire.Tests.AppHost;

public sealed class RedisSettingsTests
{
    [Fact]
    public async Task A_maxmemory_redis_would_not_take_stops_the_apphost_at_once_with_one_clear_line()
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, [Path.Combine(AppContext.BaseDirectory, "PhonicAspire.AppHost.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            Environment = { ["PHONIC_INFRA"] = "containers", ["Phonic__RedisMaxMemory"] = "lots" },
        };

        using var process = Process.Start(start)!;
        var standardError = process.StandardError.ReadToEndAsync();
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(1, process.ExitCode);
        var line = Assert.Single((await standardError).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Phonic:RedisMaxMemory='lots' is not a size", line, StringComparison.Ordinal);
        Assert.Empty((await standardOutput).Trim());
    }
}
