using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PhonicAspire.Worker.Configuration;

namespace PhonicAspire.Worker.Resilience;

/// <summary>
/// Whether the drain is held by a failure that is neither an outage nor PostgreSQL's: Redis refusing a command for a
/// key an operator changed by hand (<c>WRONGTYPE</c> on the dead-letter stream, say). The outage policy retries it
/// rather than end the process while the API keeps accepting, and the entries wait in the stream; this check makes
/// the wait visible until the failure stops recurring.
/// </summary>
public sealed class DrainHealth(TimeProvider timeProvider, IOptions<WorkerOptions> options) : IHealthCheck
{
    private volatile Failure? _last;

    public void Failing(string reason) => _last = new(reason, timeProvider.GetTimestamp());

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        // A failure that persists is met again at least every MaxOutageDelay, the longest back-off; one not met for
        // twice that is cured.
        var recent = _last is { } last && timeProvider.GetElapsedTime(last.At) <= 2 * options.Value.MaxOutageDelay ? last : null;
        return Task.FromResult(recent is null
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy($"Draining the stream keeps failing ({recent.Reason}); the entries stay in the stream while it is retried."));
    }

    private sealed record Failure(string Reason, long At);
}
