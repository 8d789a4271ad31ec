using System.Globalization;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Queueing.Durability;

/// <summary>
/// Reads the Redis the API writes to: <c>CONFIG GET</c> where the server allows it, otherwise what <c>INFO</c>
/// tells (managed services often refuse CONFIG; INFO shows whether AOF is on and the eviction policy, not the fsync
/// settings).
/// </summary>
public sealed class RedisDurabilityProbe(IConnectionMultiplexer redis)
{
    public async Task<RedisDurabilityReport> ReadAsync()
    {
        var database = redis.GetDatabase();
        try
        {
            // All four awaited together: where CONFIG is refused each fails, and none may go unobserved.
            var settings = await Task.WhenAll(
                ConfigGetAsync(database, "appendonly"),
                ConfigGetAsync(database, "appendfsync"),
                ConfigGetAsync(database, "no-appendfsync-on-rewrite"),
                ConfigGetAsync(database, "maxmemory-policy"));
            return RedisDurabilityReport.Evaluate(settings[0], settings[1], settings[2], settings[3]);
        }
        catch (RedisServerException)
        {
            // ERR unknown command, NOPERM: CONFIG is renamed away or not granted.
        }

        var persistence = InfoField(await database.ExecuteAsync("INFO", "persistence"), "aof_enabled");
        var memory = InfoField(await database.ExecuteAsync("INFO", "memory"), "maxmemory_policy");
        return RedisDurabilityReport.Evaluate(persistence switch { "1" => "yes", "0" => "no", _ => null }, null, null, memory);
    }

    /// <summary>
    /// Whether Redis takes writes now, by its own rule: no <c>maxmemory</c>, or the memory it counts against it (all
    /// it uses but its replica and AOF buffers) at most that. What INFO does not show is taken as room: the next
    /// append then decides, and a refusal marks Redis full again.
    /// </summary>
    public async Task<bool> HasRoomForWritesAsync()
    {
        var memory = await redis.GetDatabase().ExecuteAsync("INFO", "memory");
        return Bytes(InfoField(memory, "maxmemory")) is not { } maxMemory || maxMemory == 0
            || Bytes(InfoField(memory, "used_memory")) is not { } used
            || used - (Bytes(InfoField(memory, "mem_not_counted_for_evict")) ?? 0) <= maxMemory;
    }

    private static long? Bytes(string? field) =>
        long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) ? bytes : null;

    private static async Task<string?> ConfigGetAsync(IDatabase database, string setting)
    {
        // A flat [name, value] array (RESP2) or a map (RESP3); either way the value follows its name.
        var reply = (RedisResult[]?)await database.ExecuteAsync("CONFIG", "GET", setting) ?? [];
        for (var i = 0; i + 1 < reply.Length; i += 2)
        {
            if ((string?)reply[i] == setting)
            {
                return (string?)reply[i + 1];
            }
        }

        return null;
    }

    private static string? InfoField(RedisResult info, string field)
    {
        foreach (var line in ((string?)info ?? string.Empty).Split('\n'))
        {
            var separator = line.IndexOf(':', StringComparison.Ordinal);
            if (separator > 0 && line.AsSpan(0, separator).SequenceEqual(field))
            {
                return line[(separator + 1)..].Trim();
            }
        }

        return null;
    }
}
