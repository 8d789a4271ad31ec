using Microsoft.Extensions.Options;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Forwarding;

/// <summary>
/// Removes the consumer group of a forwarding destination that is no longer configured, once it has fallen
/// <see cref="StaleAfter"/> behind (the oldest entry it has not read was appended that long ago) and none of its
/// consumers has read for as long. The stream is trimmed only below what every group still needs, so a removed
/// destination's group would otherwise keep every entry from then on. A group that is not behind holds back at most
/// its pending entries, and is left alone however quiet the stream: a poll that finds nothing new never reaches
/// XREADGROUP (the read script looks first), and Redis 7.0 counts a consumer idle from its last read that returned
/// entries anyway, so on a quiet stream the replicas still reading the group during a rolling deploy look gone.
/// </summary>
public sealed partial class StaleForwardingGroups(
    IConnectionMultiplexer redis, IOptions<ForwardingOptions> options, TimeProvider timeProvider, ILogger<StaleForwardingGroups> logger)
    : BackgroundService
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan CheckInterval = TimeSpan.FromMinutes(1);

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
        var configured = destinations.Select(name => WebhookStream.ForwardingGroupPrefix + name).ToHashSet(StringComparer.Ordinal);
        var unconfigured = (await database.StreamGroupInfoAsync(stream))
            .Where(group => group.Name.StartsWith(WebhookStream.ForwardingGroupPrefix, StringComparison.Ordinal) && !configured.Contains(group.Name));
        foreach (var group in unconfigured)
        {
            if (await IsBehindAsync(database, stream, group) && await IsUnreadAsync(database, stream, group.Name))
            {
                await database.StreamDeleteConsumerGroupAsync(stream, group.Name);
                LogRemoved(logger, group.Name, StaleAfter);
            }
        }
    }

    // An entry's id starts with the milliseconds of Redis's clock when it was appended, so Redis's clock tells its age.
    private static async Task<bool> IsBehindAsync(IDatabase database, RedisKey stream, StreamGroupInfo group)
    {
        var unread = await database.StreamRangeAsync(stream, $"({group.LastDeliveredId}", "+", count: 1);
        if (unread.Length == 0)
        {
            return false;
        }

        var time = (RedisResult[])(await database.ExecuteAsync("TIME"))!;
        var now = DateTimeOffset.FromUnixTimeMilliseconds(((long)time[0] * 1_000) + ((long)time[1] / 1_000));
        return now - StreamEntryId.Parse((string)unread[0].Id!).AppendedAt > StaleAfter;
    }

    private static async Task<bool> IsUnreadAsync(IDatabase database, RedisKey stream, string group) =>
        (await database.StreamConsumerInfoAsync(stream, group)).All(consumer => consumer.IdleTimeInMilliseconds > StaleAfter.TotalMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed the consumer group {Group}: its forwarding destination is no longer configured, and it has been {StaleAfter} behind with no consumer reading it")]
    private static partial void LogRemoved(ILogger logger, string group, TimeSpan staleAfter);
}
