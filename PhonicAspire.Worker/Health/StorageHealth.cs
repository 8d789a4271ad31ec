using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PhonicAspire.Worker.Health;

/// <summary>
/// Whether the worker can store: unhealthy until the migrations are applied and while PostgreSQL is unreachable or
/// refuses writes,
/// so the orchestrator and operators see an outage that the worker itself is riding out.
/// </summary>
public sealed class StorageHealth : IHealthCheck
{
    private volatile string? _problem = "The database migrations have not been applied yet.";

    public void StorageReachable() => _problem = null;

    /// <param name="reason">An error's type and SQLSTATE, never its message (which can quote stored values).</param>
    public void StorageFailing(string reason) => _problem = $"PostgreSQL cannot store webhooks ({reason}); they stay pending in Redis until it can.";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_problem is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy());
}
