using Microsoft.EntityFrameworkCore;
using PhonicAspire.Worker.Health;

namespace PhonicAspire.Worker.Persistence;

/// <summary>
/// Brings the database schema up to date, waiting for PostgreSQL as long as it takes to become reachable: at
/// startup the worker may well be up before the database accepts connections.
/// </summary>
public sealed partial class DatabaseMigrator(IServiceScopeFactory scopeFactory, TimeProvider timeProvider, ILogger<DatabaseMigrator> logger)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LongestRetryDelay = TimeSpan.FromSeconds(15);

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopeFactory.CreateAsyncScope();
                var context = scope.ServiceProvider.GetRequiredService<PhonicDbContext>();
                await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
                LogMigrated(logger);
                return;
            }
            // Only a database that cannot be reached is worth waiting for; a failing migration would fail again.
            catch (Exception exception) when (StorageOutage.IsUnreachable(exception) && !cancellationToken.IsCancellationRequested)
            {
                LogUnreachable(logger, StorageOutage.Describe(exception), attempt, delay);
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetryDelay.Ticks));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Database schema is up to date")]
    private static partial void LogMigrated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL is not reachable yet ({Error}, attempt {Attempt}); retrying in {Delay}")]
    private static partial void LogUnreachable(ILogger logger, string error, int attempt, TimeSpan delay);
}
