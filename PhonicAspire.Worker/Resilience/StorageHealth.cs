using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PhonicAspire.Worker.Resilience;

/// <summary>
/// Whether the worker can store: unhealthy until the migrations are applied and while PostgreSQL is unreachable or
/// refuses writes, so the orchestrator and operators see an outage that the worker itself is riding out.
/// </summary>
public sealed class StorageHealth : IHealthCheck
{
    private volatile bool _schemaApplied;
    private volatile string? _failure;

    public void SchemaApplied() => _schemaApplied = true;

    public void StorageReachable() => _failure = null;

    /// <param name="reason">An error's type and SQLSTATE, never its message (which can quote stored values).</param>
    public void StorageFailing(string reason) => _failure = $"PostgreSQL cannot store webhooks ({reason}); they stay pending in Redis until it can.";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult((_schemaApplied, _failure) switch
        {
            (false, var failure) => HealthCheckResult.Unhealthy($"The database migrations have not been applied yet. {failure}".TrimEnd()),
            (true, { } failure) => HealthCheckResult.Unhealthy(failure),
            _ => HealthCheckResult.Healthy(),
        });
}
