using System.Globalization;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Durability;

/// <summary>
/// Reads the Redis the API writes to: <c>CONFIG GET</c> where the server allows it, otherwise what <c>INFO</c>
/// tells (managed services often refuse CONFIG; INFO shows whether AOF is on and the eviction policy, not the fsync).
/// </summary>
public sealed class RedisDurabilityProbe(IConnectionMultiplexer redis)
{
    public async Task<RedisDurabilityReport> ReadAsync()
    {
        var database = redis.GetDatabase();
        try
        {
            var appendOnly = ConfigGetAsync(database, "appendonly");
            var appendFsync = ConfigGetAsync(database, "appendfsync");
            var maxMemoryPolicy = ConfigGetAsync(database, "maxmemory-policy");
            return RedisDurabilityReport.Evaluate(await appendOnly, await appendFsync, await maxMemoryPolicy);
        }
        catch (RedisServerException)
        {
            // ERR unknown command, NOPERM: CONFIG is renamed away or not granted.
        }

        var persistence = InfoField(await database.ExecuteAsync("INFO", "persistence"), "aof_enabled");
        var memory = InfoField(await database.ExecuteAsync("INFO", "memory"), "maxmemory_policy");
        return RedisDurabilityReport.Evaluate(persistence switch { "1" => "yes", "0" => "no", _ => null }, null, memory);
    }

    /// <summary>
    /// Whether Redis takes writes now: it has no <c>maxmemory</c>, or uses less than that. Redis's own check leaves
    /// its AOF and replica buffers out of what it uses, so this can still answer no for a moment after Redis would
    /// take a write.
    /// </summary>
    public async Task<bool> HasRoomForWritesAsync()
    {
        var memory = await redis.GetDatabase().ExecuteAsync("INFO", "memory");
        var maxMemory = Bytes(InfoField(memory, "maxmemory"));
        return maxMemory is 0 || Bytes(InfoField(memory, "used_memory")) < maxMemory;
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
