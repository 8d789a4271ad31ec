using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Forwarding;
using StackExchange.Redis;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>A forwarding handler over an in-test destination, with deliveries whose outcomes come back to the test; no Redis.</summary>
internal static class InTestForwarding
{
    public const string DestinationName = "crm";

    public static ForwardingHandler Handler(HttpMessageHandler destination, TimeProvider clock, Action<ForwardingOptions> configure)
    {
        var options = new ForwardingOptions
        {
            Destinations = { [DestinationName] = new ForwardingDestination { Url = new Uri("http://destination.test/hooks") } },
            SigningSecret = $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
        };
        configure(options);
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        return new ForwardingHandler(
            DestinationName, options, new SingleClientFactory(destination), new PhonicMetrics(meters), clock, NullLogger<ForwardingHandler>.Instance);
    }

    public static QueuedDelivery Delivery() =>
        new($"msg_{Guid.NewGuid():N}", PhonicEventTypes.ConversationEnded, "conv", DateTimeOffset.UtcNow, "{}"u8.ToArray());

    /// <summary>Acknowledging does nothing; a rejection fails the test.</summary>
    public static DeliveryOutcomes Outcomes(QueuedDelivery delivery) => new(
        [(delivery, new StreamEntry("1-0", [new NameValueEntry(WebhookStream.Fields.SvixId, delivery.SvixId)]))],
        (_, _) => Task.CompletedTask,
        (_, reason, _) => throw new InvalidOperationException($"the forward was rejected: {reason}"),
        _ => { });

    /// <summary>Hands every caller a client over the one in-test destination.</summary>
    private sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }
}
