using System.Collections.Concurrent;
using System.Diagnostics;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// Sends signed deliveries the way Svix does: each until it gets a 2xx (retrying after refusals and errors), from
/// several senders at once. Records which svix ids were acknowledged, which is what must end up stored.
/// </summary>
public sealed class DeliveryLoad(HttpClient client, int deliveries, int senders, TimeSpan giveUpAfter)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentBag<string> _acknowledged = [];
    private int _attempts;
    private int _refusals;
    private int _next = -1;

    public IReadOnlyCollection<string> Acknowledged => _acknowledged;

    public int Attempts => _attempts;

    /// <summary>Answers other than 2xx (503 while Redis is down) and failed connections, each retried.</summary>
    public int Refusals => _refusals;

    public Task RunAsync() => Task.WhenAll(Enumerable.Range(0, senders).Select(_ => Task.Run(SendUntilDoneAsync)));

    private async Task SendUntilDoneAsync()
    {
        while (Interlocked.Increment(ref _next) < deliveries)
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
        }
    }
}
