using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PhonicAspire.Worker.Resilience;

/// <summary>
/// Whether the drain is held by a failure that is neither an outage nor PostgreSQL's: Redis refusing a command for a
/// key an operator changed by hand (<c>WRONGTYPE</c> on the dead-letter stream, say). The outage policy retries it
/// rather than end the process while the API keeps accepting, and the entries wait in the stream; this check makes
/// the wait visible while the failure recurs.
/// </summary>
public sealed class DrainHealth(TimeProvider timeProvider) : IHealthCheck
{
    // How long a retried Redis command can take to fail again: the Redis client's own timeout.
    private static readonly TimeSpan AttemptAllowance = TimeSpan.FromSeconds(5);

    private volatile Failure? _last;

    /// <summary>A step failed again and is retried after <paramref name="retryDelay"/>; reported until that retry has had time to fail too.</summary>
    public void Failing(string reason, TimeSpan retryDelay) =>
        _last = new(reason, timeProvider.GetUtcNow() + retryDelay + AttemptAllowance);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_last is { } last && timeProvider.GetUtcNow() <= last.ReportedUntil
            ? HealthCheckResult.Unhealthy($"Draining the stream keeps failing ({last.Reason}); the entries wait in the stream while it is retried.")
            : HealthCheckResult.Healthy());

    private sealed record Failure(string Reason, DateTimeOffset ReportedUntil);
}
