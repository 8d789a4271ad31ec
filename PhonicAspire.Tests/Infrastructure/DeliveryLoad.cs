using System.Collections.Concurrent;
using System.Diagnostics;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// Sends signed deliveries the way Svix does: each until it gets a 2xx (retrying after refusals and errors), from
/// several senders at once, each pausing <paramref name="pace"/> between deliveries, until told to stop or
/// <paramref name="maxDeliveries"/> are sent. Records which svix ids were acknowledged: what must end up stored.
/// </summary>
public sealed class DeliveryLoad(HttpClient client, int senders, TimeSpan pace, int maxDeliveries, TimeSpan giveUpAfter)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentBag<string> _acknowledged = [];
    private int _attempts;
    private int _refusals;
    private int _next = -1;

    public IReadOnlyCollection<string> Acknowledged => _acknowledged;

    /// <summary>Deliveries started; each is retried until acknowledged or given up.</summary>
    public int Started => Math.Min(Volatile.Read(ref _next) + 1, maxDeliveries);

    public int Attempts => _attempts;

    /// <summary>Answers other than 2xx (503 while Redis is down) and failed connections, each retried.</summary>
    public int Refusals => _refusals;

    /// <summary>Waits, with a bound, until at least <paramref name="count"/> deliveries have been acknowledged.</summary>
    public Task WaitForAcknowledgedAsync(int count, TimeSpan timeout) =>
        Eventually.ReturnsAsync(() => Task.FromResult(_acknowledged.Count), acknowledged => acknowledged >= count, timeout,
            $"{count} deliveries to be acknowledged (refused so far: {Refusals})");

    /// <summary>Sends until <paramref name="stop"/> fires, then finishes the deliveries already started.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(() => SendUntilStoppedAsync(stop))));

    private async Task SendUntilStoppedAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested && Interlocked.Increment(ref _next) < maxDeliveries)
        {
            var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                Interlocked.Increment(ref _attempts);
                try
                {
                    using var request = SignedWebhook.Create(webhook.Body, webhook.SvixId).ToRequest();
                    using var response = await client.SendAsync(request);
                    if (response.IsSuccessStatusCode)
                    {
                        _acknowledged.Add(webhook.SvixId);
                        break;
                    }
                }
                catch (HttpRequestException)
                {
                }

                Interlocked.Increment(ref _refusals);
                if (deadline.Elapsed > giveUpAfter)
                {
                    break;
                }

                await Task.Delay(RetryDelay);
            }

            await Task.Delay(pace);
        }
    }
}
