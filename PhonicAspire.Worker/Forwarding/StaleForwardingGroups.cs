using Microsoft.Extensions.Options;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Forwarding;

/// <summary>
/// Removes the consumer group of a forwarding destination that is no longer configured, once none of its consumers
/// has read for <see cref="StaleAfter"/>. The stream is trimmed only below what every group still needs, so a
/// removed destination's group would otherwise keep every entry from then on; waiting for its consumers to go quiet
/// leaves alone the group that replicas still on the old configuration read during a rolling deploy.
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
                await RemoveStaleAsync();
            }
            catch (RedisException)
            {
                // No stream yet, or Redis away: the next check tries again, and a stale group costs memory, not data.
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RemoveStaleAsync()
    {
        var configured = options.Value.Destinations.Keys.Select(name => WebhookStream.ForwardingGroupPrefix + name).ToHashSet(StringComparer.Ordinal);
        var database = redis.GetDatabase();
        var unconfigured = (await database.StreamGroupInfoAsync(WebhookStream.Name))
            .Where(group => group.Name.StartsWith(WebhookStream.ForwardingGroupPrefix, StringComparison.Ordinal) && !configured.Contains(group.Name));
        foreach (var group in unconfigured)
        {
            var consumers = await database.StreamConsumerInfoAsync(WebhookStream.Name, group.Name);
            if (consumers.All(consumer => consumer.IdleTimeInMilliseconds > StaleAfter.TotalMilliseconds))
            {
                await database.StreamDeleteConsumerGroupAsync(WebhookStream.Name, group.Name);
                LogRemoved(logger, group.Name, StaleAfter);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed the consumer group {Group}: its forwarding destination is no longer configured and no consumer has read it for {StaleAfter}")]
    private static partial void LogRemoved(ILogger logger, string group, TimeSpan staleAfter);
}
