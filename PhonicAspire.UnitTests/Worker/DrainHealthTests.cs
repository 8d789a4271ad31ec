using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Resilience;

namespace PhonicAspire.UnitTests.Worker;

public sealed class DrainHealthTests
{
    private static readonly WorkerOptions Settings = new() { MaxOutageDelay = TimeSpan.FromSeconds(5) };

    [Fact]
    public async Task A_failure_is_reported_while_it_recurs_within_twice_the_longest_back_off_and_no_longer_once_it_stops()
    {
        var time = new FakeTimeProvider();
        var health = new DrainHealth(time, Microsoft.Extensions.Options.Options.Create(Settings));
        var context = new HealthCheckContext();

        var before = await health.CheckHealthAsync(context);
        health.Failing("RedisServerException (WRONGTYPE)");
        time.Advance(TimeSpan.FromSeconds(10));
        var recurring = await health.CheckHealthAsync(context);
        time.Advance(TimeSpan.FromMilliseconds(1));
        var cured = await health.CheckHealthAsync(context);

        Assert.Equal(HealthStatus.Healthy, before.Status);
        Assert.Equal(HealthStatus.Unhealthy, recurring.Status);
        Assert.Contains("WRONGTYPE", recurring.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, cured.Status);
    }
}
