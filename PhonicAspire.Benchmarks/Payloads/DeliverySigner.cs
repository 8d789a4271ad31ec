using PhonicAspire.Testing;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Benchmarks.Payloads;

/// <summary>
/// Signs deliveries ahead of time with fresh svix ids, all with one timestamp taken now, so that the load
/// generator's hot path only builds the requests.
/// </summary>
public sealed class DeliverySigner(string secret, TimeProvider timeProvider)
{
    private readonly WebhookSigningKeys _keys = WebhookSigningKeys.Parse(secret);

    public SignedWebhook[] Sign(int count, Func<int, byte[]> body)
    {
        var now = timeProvider.GetUtcNow();
        var deliveries = new SignedWebhook[count];
        Parallel.For(0, count, index => deliveries[index] = SignedWebhook.Create(_keys, body(index), at: now));
        return deliveries;
    }
}
