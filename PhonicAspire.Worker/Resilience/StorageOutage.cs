using System.Net.Sockets;
using Npgsql;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Resilience;

/// <summary>
/// Tells an outage (PostgreSQL or Redis unreachable, or PostgreSQL refusing every write for a reason of its own,
/// which waiting cures) from a failure of an entry's own data (which isolating the entry cures).
/// </summary>
public static class StorageOutage
{
    // SQLSTATE classes an entry's own data can cause: data exceptions, integrity violations, program limits.
    // Everything else (read-only after a failover 25006, lost grants 42501, a statement timeout 57014, a full disk
    // 53100, a missing table 42P01, …) would fail every entry alike.
    private static readonly string[] EntryErrorClasses = ["22", "23", "54"];

    /// <summary>PostgreSQL or Redis cannot be reached or is not ready yet.</summary>
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        NpgsqlException npgsql => npgsql.IsTransient,
        RedisConnectionException or RedisTimeoutException => true,
        RedisServerException redis => PassingRedisErrors.Passes(redis),
        SocketException or TimeoutException => true,
        _ => exception.InnerException is { } inner && IsUnreachable(inner),
    };

    /// <summary>
    /// Worth waiting out while the schema is brought up to date: PostgreSQL cannot be reached, is read-only (a standby
    /// until a failover promotes it) or cancelled a statement on its timeout (behind another worker's migration lock).
    /// Anything else, such as a role that may not create tables, would fail every attempt alike.
    /// </summary>
    public static bool PassesAtStartUp(Exception exception) =>
        IsUnreachable(exception)
        || FindPostgres(exception) is { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction or PostgresErrorCodes.QueryCanceled };

    /// <summary>
    /// Entries must wait, not be dead-lettered: the store cannot be reached, or PostgreSQL refuses writes for a
    /// reason that is not in the entry's data. A duplicate svix id (another worker stored it first) also just
    /// needs another attempt, which finds it stored.
    /// </summary>
    public static bool IsOutage(Exception exception) =>
        exception is StorageRefusedException
        || IsUnreachable(exception)
        || FindPostgres(exception) is { } postgres
            && (!EntryErrorClasses.Contains(postgres.SqlState[..2])
                || postgres is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: Persistence.Staging.WebhookEventCommands.PrimaryKey });

    /// <summary>Redis lost the consumer group (a restart without its data, or a deleted stream): it must be made again.</summary>
    public static bool IsMissingConsumerGroup(Exception exception) =>
        exception is RedisServerException redis && redis.Message.StartsWith("NOGROUP", StringComparison.Ordinal);

    /// <summary>The failure came from PostgreSQL or its client, so it is the store that cannot work.</summary>
    public static bool IsPostgres(Exception exception) =>
        exception is NpgsqlException or StorageRefusedException || exception.InnerException is { } inner && IsPostgres(inner);

    /// <summary>A failure of the entries being stored, which storing them one by one can pin on one of them.</summary>
    public static bool IsEntryFailure(Exception exception) => exception is not OperationCanceledException && !IsOutage(exception);

    /// <summary>
    /// Why an entry failed, fit for a log line, <c>/health</c> and the dead-letter stream: PostgreSQL's messages can
    /// quote the value that failed (a phone number, a transcript), so only the error's type and code are kept, and the
    /// constraint's name, part of the schema: failures are compared by this text, and two constraints are two causes.
    /// </summary>
    public static string Describe(Exception exception) => exception switch
    {
        PostgresException { ConstraintName: { Length: > 0 } constraint } postgres =>
            $"{postgres.GetType().Name} (SQLSTATE {postgres.SqlState}, constraint {constraint})",
        PostgresException postgres => $"{postgres.GetType().Name} (SQLSTATE {postgres.SqlState})",
        _ when exception.InnerException is PostgresException inner => Describe(inner),
        RedisServerException redis when RedisErrorCode(redis) is { } code => $"{redis.GetType().Name} ({code})",
        _ => exception.GetType().Name,
    };

    // The leading upper-case word of Redis's error (WRONGTYPE, NOPERM, OOM), which names the refusal without any value.
    private static string? RedisErrorCode(RedisServerException redis)
    {
        var code = redis.Message.Split(' ', 2)[0];
        return code.Length > 0 && code.All(char.IsAsciiLetterUpper) ? code : null;
    }

    private static PostgresException? FindPostgres(Exception exception) =>
        exception as PostgresException ?? (exception.InnerException is { } inner ? FindPostgres(inner) : null);
}
