using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PhonicAspire.Worker.Persistence;

/// <summary>Unhealthy until <see cref="DatabaseMigrator"/> has brought the schema up to date.</summary>
public sealed class DatabaseReadyHealthCheck(DatabaseMigrator migrator) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(migrator.IsReady
            ? HealthCheckResult.Healthy("The database schema is up to date.")
            : HealthCheckResult.Unhealthy("The database schema has not been migrated yet."));
}
