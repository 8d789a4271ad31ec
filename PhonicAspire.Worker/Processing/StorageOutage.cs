using System.Net.Sockets;
using Npgsql;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Processing;

/// <summary>
/// Tells an outage (PostgreSQL or Redis unreachable, which waiting cures) from a failure of the data itself
/// (which isolating the entry cures).
/// </summary>
public static class StorageOutage
{
    public static bool IsOutage(Exception exception) => exception switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        RedisConnectionException or RedisTimeoutException => true,
        SocketException or TimeoutException => true,
        _ => exception.InnerException is { } inner && IsOutage(inner),
    };
}
