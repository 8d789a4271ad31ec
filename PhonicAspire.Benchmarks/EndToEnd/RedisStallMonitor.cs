using System.Globalization;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.EndToEnd;

/// <summary>
/// Redis's own latency monitor, on for one phase: Redis times every fsync of its append-only file (with
/// <c>appendfsync always</c>, each one holds every client's answer) and every command, and keeps the latest and the
/// worst of each kind at or above a threshold. What it shows is the disk's share of the API's answer times, measured
/// by the server that waited for it.
/// </summary>
public sealed class RedisStallMonitor(IConnectionMultiplexer redis)
{
    private static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(10);

    private IServer Server => redis.GetServer(redis.GetEndPoints().Single());

    public async Task StartAsync()
    {
        await Server.ConfigSetAsync("latency-monitor-threshold", ((int)Threshold.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        await Server.LatencyResetAsync();
    }

    /// <summary>Turns the monitor off and returns the worst of each kind of event it recorded since the start.</summary>
    public async Task<RedisStalls> StopAsync()
    {
        var latest = await Server.LatencyLatestAsync();
        await Server.ConfigSetAsync("latency-monitor-threshold", "0");
        return new RedisStalls(
            Threshold,
            [.. latest.Select(entry => (entry.EventName, TimeSpan.FromMilliseconds(entry.MaxDurationMilliseconds))).OrderByDescending(stall => stall.Item2)]);
    }
}

/// <param name="Worst">Each kind of event (<c>aof-fsync-always</c>, <c>command</c>, …) with its longest, longest first.</param>
public sealed record RedisStalls(TimeSpan Threshold, IReadOnlyList<(string Event, TimeSpan Longest)> Worst);
