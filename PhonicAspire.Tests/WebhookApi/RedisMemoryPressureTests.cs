using System.Runtime.Versioning;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using PhonicAspire.Tests.AppHost;
using PhonicAspire.WebhookApi.Queueing.Durability;

namespace PhonicAspire.Tests.WebhookApi;

/// <summary>The API's "Redis is full" mark against a real redis-server, paused to hold <c>/health</c>'s question open.</summary>
[SupportedOSPlatform("linux")]
public sealed class RedisMemoryPressureTests
{
    private static readonly HealthCheckContext Context = new()
    {
        Registration = new HealthCheckRegistration("redis-memory", _ => null!, HealthStatus.Unhealthy, null),
    };

    [Fact]
    public async Task A_refusal_that_arrives_while_health_asks_redis_for_room_is_not_cleared_by_that_answer()
    {
        await using var redis = await ContainerCommandRedis.StartAsync("/bin/sh", ["-c", "redis-server"], new Dictionary<string, string>());
        var pressure = new RedisMemoryPressure(new RedisDurabilityProbe(redis.Connection));
        pressure.Refused();

        // Redis holds every command for 3 s, so the check's INFO is answered only after the next refusal.
        await redis.Connection.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "3000", "ALL");
        var check = pressure.CheckHealthAsync(Context);
        Assert.False(check.IsCompleted, "The check answered without asking Redis.");
        pressure.Refused();

        var report = await check.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
    }

    [Fact]
    public async Task A_refusal_stands_while_redis_is_over_maxmemory_and_is_cleared_once_maxmemory_is_raised()
    {
        await using var redis = await ContainerCommandRedis.StartAsync("/bin/sh", ["-c", "redis-server --maxmemory-policy noeviction"], new Dictionary<string, string>());
        var database = redis.Connection.GetDatabase();
        var pressure = new RedisMemoryPressure(new RedisDurabilityProbe(redis.Connection));
        await database.ExecuteAsync("CONFIG", "SET", "maxmemory", "1");
        pressure.Refused();

        var whileFull = await pressure.CheckHealthAsync(Context);
        await database.ExecuteAsync("CONFIG", "SET", "maxmemory", "0");
        var onceRaised = await pressure.CheckHealthAsync(Context);

        Assert.Equal(HealthStatus.Unhealthy, whileFull.Status);
        Assert.Equal(HealthStatus.Healthy, onceRaised.Status);
    }

    [Fact]
    public async Task An_append_accepted_clears_the_refusals_counted_before_it_was_sent_and_not_one_counted_while_it_was_in_flight()
    {
        await using var redis = await ContainerCommandRedis.StartAsync("/bin/sh", ["-c", "redis-server --maxmemory-policy noeviction"], new Dictionary<string, string>());
        await redis.Connection.GetDatabase().ExecuteAsync("CONFIG", "SET", "maxmemory", "1");
        var pressure = new RedisMemoryPressure(new RedisDurabilityProbe(redis.Connection));

        pressure.Refused();
        var beforeFirst = pressure.Refusals;
        pressure.Accepted(beforeFirst);
        var afterFirst = await pressure.CheckHealthAsync(Context);
        var beforeSecond = pressure.Refusals;
        pressure.Refused();
        pressure.Accepted(beforeSecond);
        var afterSecond = await pressure.CheckHealthAsync(Context);

        Assert.Equal(HealthStatus.Healthy, afterFirst.Status);
        Assert.Equal(HealthStatus.Unhealthy, afterSecond.Status);
    }
}
