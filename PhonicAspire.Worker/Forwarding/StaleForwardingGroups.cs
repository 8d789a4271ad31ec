using Microsoft.Extensions.Options;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;

namespace PhonicAspire.Worker.Forwarding;

/// <summary>
/// Removes the consumer group of a forwarding destination that is no longer configured, once it has fallen
/// <see cref="StaleAfter"/> behind (the oldest entry it has not read was appended that long ago) and none of its
/// consumers has read for as long. The stream is trimmed only below what every group still needs, so a removed
/// destination's group would otherwise keep every entry from then on. A group that is not behind holds back at most
/// its pending entries, and is left alone however quiet the stream: Redis 7.0 counts a consumer idle from its last
/// read that returned entries, a poll that finds nothing new not counting (a running worker starts its own idle time
/// afresh only at its rounds of claims, and only while it holds nothing), so on a quiet stream the replicas still
/// reading the group during a rolling deploy can look gone.
/// </summary>
public sealed partial class StaleForwardingGroups(
    StaleConsumerGroups groups, IOptions<ForwardingOptions> options, TimeProvider timeProvider, ILogger<StaleForwardingGroups> logger)
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
                await RemoveStaleAsync(groups, WebhookStream.Name, options.Value.Destinations.Keys, logger, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Redis away, say: the next check tries again, and a stale group costs memory, not data.
                LogCheckFailed(logger, exception.GetType().Name, CheckInterval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Removes the stale groups of <paramref name="stream"/> whose destinations are not among <paramref name="destinations"/>.</summary>
    internal static async Task RemoveStaleAsync(
        StaleConsumerGroups groups, string stream, IEnumerable<string> destinations, ILogger logger, CancellationToken cancellationToken)
    {
        var configured = destinations.Select(name => WebhookStream.ForwardingGroupPrefix + name);
        foreach (var removed in await groups.RemoveAsync(stream, WebhookStream.ForwardingGroupPrefix, configured, StaleAfter, cancellationToken))
        {
            LogRemoved(logger, removed, StaleAfter);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed the consumer group {Group}: its forwarding destination is no longer configured, and it has been {StaleAfter} behind with no consumer reading it")]
    private static partial void LogRemoved(ILogger logger, string group, TimeSpan staleAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for stale forwarding groups ({Error}); looking again in {Interval}")]
    private static partial void LogCheckFailed(ILogger logger, string error, TimeSpan interval);
}
