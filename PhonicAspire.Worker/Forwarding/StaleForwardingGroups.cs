using Microsoft.Extensions.Options;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Forwarding;

/// <summary>
/// Removes the consumer group of a forwarding destination that is no longer configured, once it has fallen
/// <see cref="StaleAfter"/> behind (the oldest entry it has not read was appended that long ago) and none of its
/// consumers has read for as long. The stream is trimmed only below what every group still needs, so a removed
/// destination's group would otherwise keep every entry from then on. A group that is not behind holds back at most
/// its pending entries, and is left alone however quiet the stream: a poll that finds nothing new never reaches
/// XREADGROUP (the read script looks first), and Redis 7.0 counts a consumer idle from its last read that returned
/// entries anyway (a running worker starts its own idle time afresh only at its rounds of claims, and only while it
/// holds nothing), so on a quiet stream the replicas still reading the group during a rolling deploy can look gone.
/// </summary>
public sealed partial class StaleForwardingGroups(
    IConnectionMultiplexer redis, IOptions<ForwardingOptions> options, TimeProvider timeProvider, ILogger<StaleForwardingGroups> logger)
    : BackgroundService
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

    // Checks and removes in one step: a replica configured with the destination that joined the group between a check
    // and a removal would find its group gone, create it again from the stream's start and forward the stream again.
    // An entry's id starts with the milliseconds of Redis's clock when it was appended, so Redis's clock tells its age.
    // ARGV: the stale age in ms, the forwarding groups' prefix, then the configured destinations' groups. Returns the
    // groups removed.
    private const string RemoveStaleScript = StreamScriptFunctions.FieldsOf + """
        local configured, removed = {}, {}
        for i = 3, #ARGV do configured[ARGV[i]] = true end
        local stale = tonumber(ARGV[1])
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
            local fields = fields_of(group)
            local name = fields['name']
            if string.sub(name, 1, #ARGV[2]) == ARGV[2] and not configured[name] then
                local unread = redis.call('XRANGE', KEYS[1], '(' .. fields['last-delivered-id'], '+', 'COUNT', 1)
                local behind = #unread > 0 and now - tonumber(string.match(unread[1][1], '^(%d+)-')) > stale
                local read_lately = false
                if behind then
                    for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], name)) do
                        if fields_of(consumer)['idle'] <= stale then read_lately = true end
                    end
                end
                if behind and not read_lately then
                    redis.call('XGROUP', 'DESTROY', KEYS[1], name)
                    table.insert(removed, name)
                end
            end
        end
        return removed
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, timeProvider);
        do
        {
            try
            {
                await RemoveStaleAsync(redis.GetDatabase(), WebhookStream.Name, options.Value.Destinations.Keys, logger);
            }
            catch (RedisException)
            {
                // No stream yet, or Redis away: the next check tries again, and a stale group costs memory, not data.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Removes the stale groups of <paramref name="stream"/> whose destinations are not among <paramref name="destinations"/>.</summary>
    internal static async Task RemoveStaleAsync(IDatabase database, RedisKey stream, IEnumerable<string> destinations, ILogger logger)
    {
        RedisValue[] arguments =
        [
            (long)StaleAfter.TotalMilliseconds,
            WebhookStream.ForwardingGroupPrefix,
            .. destinations.Select(name => (RedisValue)(WebhookStream.ForwardingGroupPrefix + name)),
        ];
        foreach (var removed in (string[])(await database.ScriptEvaluateAsync(RemoveStaleScript, [stream], arguments))!)
        {
            LogRemoved(logger, removed, StaleAfter);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed the consumer group {Group}: its forwarding destination is no longer configured, and it has been {StaleAfter} behind with no consumer reading it")]
    private static partial void LogRemoved(ILogger logger, string group, TimeSpan staleAfter);
}
