using System.Collections.Concurrent;
using System.Net;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Load;

/// <summary>
/// Sends deliveries on a fixed schedule, whatever the target's answers: delivery i is due at i / rate seconds, as
/// independent senders like Svix's would send it. Latency counts from the due time, so a target that falls behind
/// is charged for the wait it causes. In-flight requests are capped so that a stalled target cannot exhaust the
/// machine; the cap delays sends rather than dropping them.
/// </summary>
public sealed class OpenLoopLoad(HttpClient client, IReadOnlyList<SignedWebhook> deliveries, double perSecond, TimeProvider timeProvider)
{
    private const int MaxInFlight = 1_000;
    private static readonly TimeSpan SleepThreshold = TimeSpan.FromMilliseconds(1);

    public async Task<OpenLoopResult> RunAsync(HttpStatusCode expected, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var acknowledged = new ConcurrentBag<string>();
        var latencies = new ConcurrentBag<TimeSpan>();
        var unexpected = 0;
        using var inFlight = new SemaphoreSlim(MaxInFlight);

        async Task SendAsync(SignedWebhook delivery, TimeSpan due)
        {
            try
            {
                using var request = delivery.ToRequest();
                using var response = await client.SendAsync(request, cancellationToken);
                if (response.StatusCode == expected)
                {
                    acknowledged.Add(delivery.SvixId);
                    latencies.Add(timeProvider.GetElapsedTime(started) - due);
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            finally
            {
                inFlight.Release();
            }

            Interlocked.Increment(ref unexpected);
        }

        var sends = new List<Task>(deliveries.Count);
        for (var index = 0; index < deliveries.Count; index++)
        {
            var due = TimeSpan.FromSeconds(index / perSecond);
            var wait = due - timeProvider.GetElapsedTime(started);
            if (wait > SleepThreshold)
            {
                await Task.Delay(wait, timeProvider, cancellationToken);
            }

            await inFlight.WaitAsync(cancellationToken);
            sends.Add(SendAsync(deliveries[index], due));
        }

        var sendingTook = timeProvider.GetElapsedTime(started);
        await Task.WhenAll(sends);
        return new OpenLoopResult(
            [.. acknowledged],
            deliveries.Count / sendingTook.TotalSeconds,
            LatencySummary.Of(latencies),
            unexpected);
    }
}

/// <param name="SentPerSecond">Deliveries sent over the time it took to send them all: the rate actually offered.</param>
public sealed record OpenLoopResult(IReadOnlyList<string> Acknowledged, double SentPerSecond, LatencySummary Latency, int Unexpected);
