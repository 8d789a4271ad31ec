using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Durability;

/// <summary>
/// Whether Redis refused the last append for lack of memory. With <c>maxmemory-policy noeviction</c> a full Redis
/// refuses writes instead of evicting webhooks not yet stored: the delivery gets 503 and Svix retries it. The next
/// append Redis has room for clears this, and so does <c>/health</c> finding that Redis has room again: a readiness
/// probe on <c>/health</c> takes an unhealthy replica out of its load balancer, after which no delivery would reach
/// it to find out.
/// </summary>
public sealed class RedisMemoryPressure(RedisDurabilityProbe probe) : IHealthCheck
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

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_full && await HasRoomAgainAsync(cancellationToken))
        {
            _full = false;
        }

        return _full
            ? HealthCheckResult.Unhealthy("Redis is out of memory (maxmemory reached, noeviction): deliveries get 503 until the worker has drained the stream or maxmemory is raised.")
            : HealthCheckResult.Healthy();
    }

    private async Task<bool> HasRoomAgainAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await probe.HasRoomForWritesAsync().WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            // Unreadable: the refusal stands until Redis answers or takes an append.
            return false;
        }
    }
}
