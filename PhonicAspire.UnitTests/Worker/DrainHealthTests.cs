using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Worker.Resilience;

namespace PhonicAspire.UnitTests.Worker;

public sealed class DrainHealthTests
{
    private const string Reason = "RedisServerException (WRONGTYPE)";
    private static readonly HealthCheckContext Context = new();

    [Fact]
    public async Task A_failure_is_reported_until_its_retry_has_had_the_redis_clients_timeout_to_fail_again()
    {
        var time = new FakeTimeProvider();
        var health = new DrainHealth(time);

        var before = await health.CheckHealthAsync(Context);
        health.Failing(Reason, retryDelay: TimeSpan.FromSeconds(2), attemptDuration: TimeSpan.FromMilliseconds(3));
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
    public async Task A_slow_attempt_gets_as_long_again_to_fail()
    {
        var time = new FakeTimeProvider();
        var health = new DrainHealth(time);

        health.Failing(Reason, retryDelay: TimeSpan.FromSeconds(1), attemptDuration: TimeSpan.FromSeconds(20));
        time.Advance(TimeSpan.FromSeconds(21));

        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(Context)).Status);
    }

    [Fact]
    public async Task A_shorter_window_from_another_step_does_not_cut_a_longer_one_short()
    {
        var time = new FakeTimeProvider();
        var health = new DrainHealth(time);

        health.Failing(Reason, retryDelay: TimeSpan.FromSeconds(60), attemptDuration: TimeSpan.Zero);
        time.Advance(TimeSpan.FromSeconds(1));
        health.Failing(Reason, retryDelay: TimeSpan.FromMilliseconds(100), attemptDuration: TimeSpan.Zero);
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(Context)).Status);
    }
}
