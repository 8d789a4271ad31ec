using Microsoft.Extensions.DependencyInjection.Extensions;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Resilience;
using PhonicAspire.Worker.Storing;

namespace PhonicAspire.Worker.Configuration;

public static class WorkerServiceCollectionExtensions
{
    /// <summary>
    /// The worker's storage: a drain loop over the webhook stream in the storage's consumer group, handing deliveries
    /// to PostgreSQL, within the one outage policy.
    /// </summary>
    public static IHostApplicationBuilder AddWebhookDraining(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOutageResilience();

        // One drain loop per consumer group, each with batches to finish and entries to hand back at a stop: one after
        // another, behind Kestrel's own stop, they outlasted a container's grace while Redis was down.
        builder.Services.Configure<HostOptions>(host => host.ServicesStopConcurrently = true);

        // Redis calls are not traced one by one: most are polls of an idle stream, and the generic command
        // profiler holds every command in memory until its next flush. The store span covers each batch.
        builder.AddRedisClient("redis", configureSettings: settings => settings.DisableTracing = true, configureOptions: redis => redis.AbortOnConnectFail = false);
        builder.Services.AddSingleton<WebhookStreamClient>();
        builder.Services.AddSingleton<StaleConsumerGroups>();
        builder.Services.AddSingleton<PostgresDeliveryHandler>();
        builder.Services.AddSingleton<IHostedService>(services => ActivatorUtilities.CreateInstance<StreamDrainService>(
            services,
            new DrainSubscription(
                "storage",
                WebhookStream.ConsumerGroup,
                WebhookStream.DeadLetterName,
                services.GetRequiredService<PostgresDeliveryHandler>(),
                ObservesStream: true)));

        return builder;
    }
}
