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
    // The least time a retried Redis command gets to fail again: the Redis client's own timeout.
    private static readonly TimeSpan AttemptAllowance = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private string? _reason;
    private long _since;
    private TimeSpan _window;

    /// <summary>
    /// A step failed again and is retried after <paramref name="retryDelay"/>: reported until that retry has had as
    /// long as this attempt took, and at least the Redis client's timeout, to fail too. Steps retried side by side
    /// report here alike, so a shorter window never cuts a longer one short.
    /// </summary>
    public void Failing(string reason, TimeSpan retryDelay, TimeSpan attemptDuration)
    {
        var window = retryDelay + (attemptDuration > AttemptAllowance ? attemptDuration : AttemptAllowance);
        lock (_gate)
        {
            var now = timeProvider.GetTimestamp();
            if (_reason is null || window >= _window - timeProvider.GetElapsedTime(_since, now))
            {
                (_since, _window) = (now, window);
            }

            _reason = reason;
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        string? failing;
        lock (_gate)
        {
            failing = _reason is not null && timeProvider.GetElapsedTime(_since) <= _window ? _reason : null;
        }

        return Task.FromResult(failing is null
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Draining the stream keeps failing ({failing}); the entries wait in the stream while it is retried."));
    }
}
