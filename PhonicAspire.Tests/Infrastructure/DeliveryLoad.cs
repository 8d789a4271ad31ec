using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Sdk;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// Sends signed deliveries the way Svix does: each until it gets a 2xx (retrying after refusals and errors), from
/// several senders at once, each pausing <paramref name="pace"/> between deliveries, until told to stop or
/// <paramref name="maxDeliveries"/> are sent. Records which svix ids were acknowledged: what must end up stored.
/// <paramref name="describeApi"/> tells what is known of the API when a wait for acknowledgements times out.
/// </summary>
public sealed class DeliveryLoad(HttpClient client, int senders, TimeSpan pace, int maxDeliveries, TimeSpan giveUpAfter, Func<Task<string>> describeApi)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentBag<string> _acknowledged = [];
    private int _attempts;
    private int _refusals;
    private int _next = -1;
    private volatile string? _lastRefusal;

    public IReadOnlyCollection<string> Acknowledged => _acknowledged;

    /// <summary>Deliveries started; each is retried until acknowledged or given up.</summary>
    public int Started => Math.Min(Volatile.Read(ref _next) + 1, maxDeliveries);

    public int Attempts => _attempts;

    /// <summary>Answers other than 2xx (503 while Redis is down) and failed connections, each retried.</summary>
    public int Refusals => _refusals;

    /// <summary>
    /// Waits, with a bound, until at least <paramref name="count"/> deliveries have been acknowledged. A timeout tells
    /// how many were refused meanwhile, how the last was (a 503's detail, a refused connection), and what is known of
    /// the API then.
    /// </summary>
    public async Task WaitForAcknowledgedAsync(int count, TimeSpan timeout)
    {
        var refusedBefore = Refusals;
        _lastRefusal = null;
        try
        {
            await Eventually.ReturnsAsync(
                () => Task.FromResult(new Progress(_acknowledged.Count, Refusals - refusedBefore, _lastRefusal)),
                progress => progress.Acknowledged >= count, timeout, $"{count} deliveries to be acknowledged");
        }
        catch (FailException timedOut)
        {
            Assert.Fail($"{timedOut.Message}; {await DescribeApiAsync()}");
        }
    }

    // The description must not take the place of the failure it adds to.
    private async Task<string> DescribeApiAsync()
    {
        try
        {
            return await describeApi();
        }
        catch (Exception exception)
        {
            return $"the API could not be described ({exception.GetType().Name}: {exception.Message})";
        }
    }

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

                    _lastRefusal = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                }
                catch (HttpRequestException exception)
                {
                    _lastRefusal = exception.Message;
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

    private readonly record struct Progress(int Acknowledged, int RefusedMeanwhile, string? LastRefusal)
    {
        public override string ToString() =>
            $"{Acknowledged} acknowledged, {RefusedMeanwhile} refused while waiting, the last of them: {LastRefusal ?? "none"}";
    }
}
