using System.Globalization;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Benchmarks.Payloads;

/// <summary>Signs deliveries with fresh svix ids as Svix would, all with one timestamp taken now.</summary>
public sealed class DeliverySigner(string secret, TimeProvider timeProvider)
{
    private readonly WebhookSigningKeys _keys = WebhookSigningKeys.Parse(secret);

    public PresignedDelivery[] Sign(int count, Func<int, byte[]> body)
    {
        var timestamp = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var formatted = timestamp.ToString(CultureInfo.InvariantCulture);
        var deliveries = new PresignedDelivery[count];
        Parallel.For(0, count, index =>
        {
            var svixId = $"msg_{Guid.NewGuid():N}";
            var bytes = body(index);
            deliveries[index] = new PresignedDelivery(svixId, formatted, SvixSigner.Sign(_keys, svixId, timestamp, bytes), bytes);
        });
        return deliveries;
    }
}
