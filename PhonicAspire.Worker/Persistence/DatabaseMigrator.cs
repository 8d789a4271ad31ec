using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace PhonicAspire.Worker.Persistence;

/// <summary>
/// Brings the database schema up to date, waiting for PostgreSQL as long as it takes to become reachable: at
/// startup the worker may well be up before the database accepts connections.
/// </summary>
public sealed class DatabaseMigrator(IServiceScopeFactory scopeFactory, TimeProvider timeProvider, ILogger<DatabaseMigrator> logger)
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
                logger.LogInformation("Database schema is up to date");
                return;
            }
            catch (Exception exception) when (IsUnreachable(exception) && !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "PostgreSQL is not reachable yet (attempt {Attempt}); retrying in {Delay}", attempt, delay);
                await Task.Delay(delay, timeProvider, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LongestRetryDelay.Ticks));
            }
        }
    }

    // Only a database that cannot be reached is worth waiting for; a failing migration would fail again.
    private static bool IsUnreachable(Exception exception) => exception switch
    {
        NpgsqlException { IsTransient: true } => true,
        SocketException or TimeoutException => true,
        // EF's retrying execution strategy wraps the transient error it gave up on.
        _ when exception.InnerException is { } inner => IsUnreachable(inner),
        _ => false,
    };
}
