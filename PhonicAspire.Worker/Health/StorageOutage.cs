using System.Net.Sockets;
using Npgsql;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Health;

/// <summary>
/// Tells an outage (PostgreSQL or Redis unreachable or not ready, which waiting cures) from a failure of the data
/// itself (which isolating the entry cures).
/// </summary>
public static class StorageOutage
{
    // Redis answers these while it loads its AOF, fails over or is busy with a long script.
    private static readonly string[] TransientRedisErrors = ["LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN", "BUSY"];

    public static bool IsOutage(Exception exception) => exception switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException redis => TransientRedisErrors.Any(error => redis.Message.StartsWith(error, StringComparison.Ordinal)),
        SocketException or TimeoutException => true,
        _ => exception.InnerException is { } inner && IsOutage(inner),
    };

    /// <summary>
    /// Why an entry failed, fit for a log line and the dead-letter stream: PostgreSQL's messages can quote the value
    /// that failed (a phone number, a transcript), so only the error's type and code are kept.
    /// </summary>
    public static string Describe(Exception exception) => exception switch
    {
        PostgresException postgres => $"{postgres.GetType().Name} (SQLSTATE {postgres.SqlState})",
        _ when exception.InnerException is PostgresException inner => Describe(inner),
        _ => exception.GetType().Name,
    };
}
