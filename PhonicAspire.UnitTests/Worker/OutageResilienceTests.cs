using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using PhonicAspire.Worker.Configuration;
using PhonicAspire.Worker.Resilience;
using Polly.Registry;
using StackExchange.Redis;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>Which health check the outage policy tells of a failure it retries, by the failure's kind.</summary>
public sealed class OutageResilienceTests
{
    private static readonly HealthCheckContext Context = new();

    [Theory]
    [InlineData("redis-refusal", 2, HealthStatus.Healthy, HealthStatus.Unhealthy)]
    [InlineData("redis-refusal", 1, HealthStatus.Healthy, HealthStatus.Healthy)]
    [InlineData("redis-unreachable", 3, HealthStatus.Healthy, HealthStatus.Healthy)]
    [InlineData("postgres-refusal", 1, HealthStatus.Unhealthy, HealthStatus.Healthy)]
    public async Task A_retried_failure_is_reported_by_the_check_for_its_cause(string failure, int failures, HealthStatus storage, HealthStatus drain)
    {
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddOptions<WorkerOptions>().Services
            .AddOutageResilience()
            .BuildServiceProvider();
        services.GetRequiredService<StorageHealth>().SchemaApplied();
        var pipeline = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(OutageResilience.Key);

        var attempts = 0;
        await pipeline.ExecuteAsync(_ =>
        {
            if (++attempts <= failures)
            {
                throw Failure(failure);
            }

            return ValueTask.CompletedTask;
        });

        Assert.Equal(storage, (await services.GetRequiredService<StorageHealth>().CheckHealthAsync(Context)).Status);
        Assert.Equal(drain, (await services.GetRequiredService<DrainHealth>().CheckHealthAsync(Context)).Status);
    }

    private static Exception Failure(string kind) => kind switch
    {
        "redis-refusal" => new RedisServerException("WRONGTYPE Operation against a key holding the wrong kind of value"),
        "redis-unreachable" => new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no connection"),
        "postgres-refusal" => new PostgresException("read-only", "ERROR", "ERROR", "25006"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
