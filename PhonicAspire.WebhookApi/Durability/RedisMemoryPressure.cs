using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Durability;

/// <summary>
/// Whether Redis refused the last append for lack of memory. With <c>maxmemory-policy noeviction</c> a full Redis
/// refuses writes instead of evicting webhooks not yet stored: the delivery gets 503 and Svix retries it, and the
/// next append Redis has room for clears this.
/// </summary>
public sealed class RedisMemoryPressure : IHealthCheck
{
    private volatile bool _full;

    /// <summary>Redis's answer when a write would take it past <c>maxmemory</c>.</summary>
    public static bool IsOutOfMemory(Exception exception) =>
        exception is RedisServerException redis && redis.Message.StartsWith("OOM", StringComparison.Ordinal);

    public void Refused() => _full = true;

    public void Accepted()
    {
        // Read before writing: the common case stays a read of a cache line no other core is writing.
        if (_full)
        {
            _full = false;
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_full
            ? HealthCheckResult.Unhealthy("Redis is out of memory (maxmemory reached, noeviction): deliveries get 503 until the worker has drained the stream or maxmemory is raised.")
            : HealthCheckResult.Healthy());
}
