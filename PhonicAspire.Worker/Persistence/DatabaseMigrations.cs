using Npgsql;
using PhonicAspire.Worker.Resilience;
using Polly;

namespace PhonicAspire.Worker.Persistence;

/// <summary>
/// Brings the database schema up to date (<see cref="SchemaScript"/>) when the worker starts, waiting as long as
/// PostgreSQL takes to accept it (at start-up the worker may well be up before the database). Nothing is stored before
/// <see cref="Applied"/> completes, and <c>/health</c> says so meanwhile.
/// </summary>
public sealed partial class DatabaseMigrations(
    NpgsqlDataSource database,
    [FromKeyedServices(OutageResilience.Key)] ResiliencePipeline outage,
    StorageHealth health,
    ILogger<DatabaseMigrations> logger) : BackgroundService
{
    private readonly TaskCompletionSource _applied = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the schema is up to date; cancelled if the worker stops first.</summary>
    public Task Applied => _applied.Task;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await outage.ExecuteAsync(
            async token =>
            {
                try
                {
                    await SchemaScript.ApplyAsync(database, token).ConfigureAwait(false);
                }
                // Only a database that is not ready is worth waiting for; a failing migration would fail again, so the
                // worker stops and its orchestrator shows why.
                catch (Exception exception) when (!StorageOutage.PassesAtStartUp(exception) && exception is not OperationCanceledException)
                {
                    throw new PermanentFailureException($"The database migrations failed ({StorageOutage.Describe(exception)}).", exception);
                }
            },
            cancellationToken).ConfigureAwait(false);
        health.SchemaApplied();
        health.StorageReachable();
        LogMigrated(logger);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await MigrateAsync(stoppingToken).ConfigureAwait(false);
            _applied.TrySetResult();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _applied.TrySetCanceled(stoppingToken);
        }
        catch (PermanentFailureException exception)
        {
            _applied.TrySetException(exception);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date")]
    private static partial void LogMigrated(ILogger logger);
}
