using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Worker.Resilience;

namespace PhonicAspire.UnitTests.Worker;

public sealed class DrainHealthTests
{
    private static readonly HealthCheckContext Context = new();

    [Fact]
    public async Task A_failure_is_reported_until_its_retry_has_had_the_redis_clients_timeout_to_fail_again()
    {
        var time = new FakeTimeProvider();
        var health = new DrainHealth(time);

        var before = await health.CheckHealthAsync(Context);
        health.Failing("RedisServerException (WRONGTYPE)", TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(7));
        var untilTheRetryFails = await health.CheckHealthAsync(Context);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var afterIt = await health.CheckHealthAsync(Context);

        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal(HealthStatus.Unhealthy, untilTheRetryFails.Status);
        Assert.Contains("WRONGTYPE", untilTheRetryFails.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, afterIt.Status);
    }

    [Fact]
    public async Task Each_failure_again_extends_the_report()
    {
        var time = new FakeTimeProvider();
        var health = new DrainHealth(time);

        health.Failing("RedisServerException (WRONGTYPE)", TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(5));
        health.Failing("RedisServerException (WRONGTYPE)", TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(Context)).Status);
    }
}
