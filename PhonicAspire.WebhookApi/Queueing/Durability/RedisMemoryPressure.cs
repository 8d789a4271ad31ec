using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Queueing.Durability;

/// <summary>
/// Whether Redis refused the last append for lack of memory. With <c>maxmemory-policy noeviction</c> a full Redis
/// refuses writes instead of evicting webhooks not yet stored: the delivery gets 503 and Svix retries it. The next
/// append Redis has room for clears this, and so does <c>/health</c> finding that Redis has room again: a readiness
/// probe on <c>/health</c> takes an unhealthy replica out of its load balancer, after which no delivery would reach
/// it to find out.
/// </summary>
public sealed class RedisMemoryPressure(RedisDurabilityProbe probe) : IHealthCheck
{
    // Refusals are counted, and a sign of room clears only the refusals counted before it was asked for: a refusal
    // that arrives while /health waits for Redis's INFO, or while an accepted append was in flight, is newer than that
    // sign, and stands.
    private long _refusals;
    private long _clearedThrough;

    private bool IsFull => Refusals > Volatile.Read(ref _clearedThrough);

    /// <summary>Redis's answer when a write would take it past <c>maxmemory</c>.</summary>
    public static bool IsOutOfMemory(Exception exception) =>
        exception is RedisServerException redis && redis.Message.StartsWith("OOM", StringComparison.Ordinal);

    /// <summary>The refusals counted so far; read before an append, and handed to <see cref="Accepted"/> after it.</summary>
    public long Refusals => Volatile.Read(ref _refusals);

    public void Refused() => Interlocked.Increment(ref _refusals);

    /// <summary>An append sent after <paramref name="refusalsBefore"/> refusals was taken: those are cleared, and any counted while it was in flight stand.</summary>
    public void Accepted(long refusalsBefore)
    {
        // Read before writing: the common case stays a read of a cache line no other core is writing.
        if (refusalsBefore > Volatile.Read(ref _clearedThrough))
        {
            ClearThrough(refusalsBefore);
        }
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var refusals = Refusals;
        if (refusals > Volatile.Read(ref _clearedThrough) && await HasRoomAgainAsync(cancellationToken))
        {
            ClearThrough(refusals);
        }

        return IsFull
            ? HealthCheckResult.Unhealthy("Redis is out of memory (maxmemory reached, noeviction): deliveries get 503 until the worker has drained the stream, remembered svix ids expire (Phonic:AcceptedIdRetention) or maxmemory is raised.")
            : HealthCheckResult.Healthy();
    }

    private void ClearThrough(long refusals)
    {
        var cleared = Volatile.Read(ref _clearedThrough);
        while (cleared < refusals)
        {
            var seen = Interlocked.CompareExchange(ref _clearedThrough, refusals, cleared);
            if (seen == cleared)
            {
                return;
            }

            cleared = seen;
        }
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
