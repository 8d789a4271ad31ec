using Microsoft.Extensions.Options;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;

namespace PhonicAspire.Worker.Forwarding;

public static class ForwardingServiceCollectionExtensions
{
    /// <summary>
    /// One drain loop per configured destination, each in its own consumer group on the webhook stream, so a
    /// destination that is down delays neither the others nor the storage.
    /// </summary>
    public static IHostApplicationBuilder AddWebhookForwarding(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForwardingOptions>()
            .BindConfiguration(ForwardingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ForwardingOptions>, ForwardingOptionsValidator>();
        builder.Services.AddHostedService<StaleForwardingGroups>();

        // The forward's own retries decide when to try again (and honour Retry-After); the shared standard handler
        // would retry inside each attempt and open a circuit across events. A redirect is not followed: it would send
        // the signed body to an address nobody configured. Each attempt ends at Forwarding:AttemptTimeout, which may be
        // longer than HttpClient's own 100 s; that one would cut such attempts short. Each destination's handler keeps
        // its client for its life, out of the factory's handler rotation, so connections end after a while instead:
        // a destination that moves to another address (a fail-over by DNS) is then reached there.
#pragma warning disable EXTEXP0001 // Experimental, but the documented way to opt one client out of the defaults.
        builder.Services.AddHttpClient(ForwardingHandler.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers()
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) });
#pragma warning restore EXTEXP0001

        var destinations = builder.Configuration.GetSection($"{ForwardingOptions.SectionName}:{nameof(ForwardingOptions.Destinations)}").GetChildren();
        foreach (var name in destinations.Select(destination => destination.Key))
        {
            builder.Services.AddSingleton<IHostedService>(services =>
            {
                var options = services.GetRequiredService<IOptions<ForwardingOptions>>().Value;
                var subscription = new DrainSubscription(
                    name,
                    WebhookStream.ForwardingGroupPrefix + name,
                    WebhookStream.ForwardingDeadLetterName,
                    ActivatorUtilities.CreateInstance<ForwardingHandler>(services, name, options),
                    name,
                    options.MaxDeadLetters,
                    DeliveryWindow: new(options.InFlight, options.InFlightBytes),
                    // A destination added later is sent what arrives from then on, not the stored events the stream
                    // still holds for a lagging group.
                    StartsWhere: WebhookStream.ConsumerGroup);
                return ActivatorUtilities.CreateInstance<StreamDrainService>(services, subscription);
            });
        }

        return builder;
    }
}
