using System.Collections.Concurrent;
using System.Net;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Load;

/// <summary>
/// Keeps <paramref name="connections"/> requests in flight, each sender sending its next delivery as soon as the
/// previous one is answered: the most a target can absorb. Only requests both sent and answered inside the
/// measured window count, so the warm-up and the ramp-down are left out.
/// </summary>
public sealed class ClosedLoopLoad(HttpClient client, IReadOnlyList<SignedWebhook> deliveries, int connections, TimeProvider timeProvider)
{
    /// <param name="reuseDeliveries">
    /// Start over when the deliveries run out: only for a target that does not deduplicate svix ids, so that a
    /// fast one is not starved by the size of the pool.
    /// </param>
    public async Task<ClosedLoopResult> RunAsync(
        HttpStatusCode expected, TimeSpan warmUp, TimeSpan duration, bool reuseDeliveries, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var end = warmUp + duration;
        var next = -1;
        var latencies = new ConcurrentBag<TimeSpan>();
        var unexpected = 0;

        async Task SendUntilEndAsync()
        {
            while (timeProvider.GetElapsedTime(started) < end
                && Interlocked.Increment(ref next) is var index && (reuseDeliveries || index < deliveries.Count))
            {
                var sentAt = timeProvider.GetElapsedTime(started);
                bool answeredAsExpected;
                try
                {
                    using var request = deliveries[index % deliveries.Count].ToRequest();
                    using var response = await client.SendAsync(request, cancellationToken);
                    answeredAsExpected = response.StatusCode == expected;
                }
                catch (HttpRequestException)
                {
                    answeredAsExpected = false;
                }

                var answeredAt = timeProvider.GetElapsedTime(started);
                if (sentAt < warmUp || answeredAt > end)
                {
                    continue;
                }

                if (answeredAsExpected)
                {
                    latencies.Add(answeredAt - sentAt);
                }
                else
                {
                    Interlocked.Increment(ref unexpected);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(SendUntilEndAsync, cancellationToken)));
        return new ClosedLoopResult(
            latencies.Count / duration.TotalSeconds, LatencySummary.Of(latencies), unexpected, !reuseDeliveries && next >= deliveries.Count);
    }
}

/// <param name="PoolExhausted">The pre-signed deliveries ran out before the window ended: the rate is a lower bound.</param>
public sealed record ClosedLoopResult(double PerSecond, LatencySummary Latency, int Unexpected, bool PoolExhausted);
