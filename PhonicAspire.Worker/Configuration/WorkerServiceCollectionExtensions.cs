using Microsoft.Extensions.DependencyInjection.Extensions;
using PhonicAspire.Worker.Health;
using PhonicAspire.Worker.Processing;
using PhonicAspire.Worker.Streaming;

namespace PhonicAspire.Worker.Configuration;

public static class WorkerServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddWebhookDraining(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StorageHealth>();
        builder.Services.AddHealthChecks().AddCheck<StorageHealth>("storage");

        // Redis calls are not traced one by one: most are polls of an idle stream, and the generic command
        // profiler holds every command in memory until its next flush. The store span covers each batch's reads
        // and acknowledgement.
        builder.AddRedisClient("redis", configureSettings: settings => settings.DisableTracing = true, configureOptions: redis => redis.AbortOnConnectFail = false);
        builder.Services.AddSingleton<WebhookStreamClient>();
        builder.Services.AddSingleton<DeliveryBatchProcessor>();
        builder.Services.AddHostedService<WebhookStreamConsumer>();

        return builder;
    }
}
