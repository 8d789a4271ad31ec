using Microsoft.Extensions.Options;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Forwarding;

/// <summary>
/// Removes, at start-up, the consumer group of every forwarding destination no longer configured. The stream is
/// trimmed only below what every group still needs, so a removed destination's group would otherwise keep every
/// entry from then on.
/// </summary>
public sealed partial class StaleForwardingGroups(
    IConnectionMultiplexer redis, IOptions<ForwardingOptions> options, ILogger<StaleForwardingGroups> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var configured = options.Value.Destinations.Keys.Select(name => WebhookStream.ForwardingGroupPrefix + name).ToHashSet(StringComparer.Ordinal);
        var database = redis.GetDatabase();
        StreamGroupInfo[] groups;
        try
        {
            groups = await database.StreamGroupInfoAsync(WebhookStream.Name).WaitAsync(stoppingToken);
        }
        catch (RedisServerException)
        {
            return; // No stream yet, so no group either.
        }
        catch (RedisConnectionException)
        {
            return; // Redis away: the next start tries again, and a stale group costs memory, not data.
        }

        foreach (var group in groups.Where(group => group.Name.StartsWith(WebhookStream.ForwardingGroupPrefix, StringComparison.Ordinal) && !configured.Contains(group.Name)))
        {
            await database.StreamDeleteConsumerGroupAsync(WebhookStream.Name, group.Name);
            LogRemoved(logger, group.Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed the consumer group {Group}: its forwarding destination is no longer configured")]
    private static partial void LogRemoved(ILogger logger, string group);
}
