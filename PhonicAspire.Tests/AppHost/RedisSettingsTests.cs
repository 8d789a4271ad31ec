namespace PhonicAspire.Tests.AppHost;

public sealed class RedisSettingsTests
{
    [Fact]
    public async Task A_maxmemory_redis_would_not_take_stops_the_apphost_at_once_with_one_clear_line()
    {
        var (exitCode, output, error) = await AppHostProcess.RunAsync(new Dictionary<string, string>
        {
            ["PHONIC_INFRA"] = "containers",
            ["Phonic__RedisMaxMemory"] = "lots",
        });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Phonic:RedisMaxMemory='lots' is not a size", line, StringComparison.Ordinal);
        Assert.Empty(output.Trim());
    }
}
