using OpenTelemetry.Trace;
using PhonicAspire.Worker.Health;
using PhonicAspire.Worker.Processing;
using PhonicAspire.Worker.Streaming;
using PhonicAspire.Worker.Telemetry;

namespace PhonicAspire.Worker.Configuration;

public static class WorkerServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddWebhookDraining(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WorkerOptions>()
            .BindConfiguration(WorkerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<StorageHealth>();
        builder.Services.AddHealthChecks().AddCheck<StorageHealth>("storage");

        builder.AddRedisClient("redis", configureOptions: redis => redis.AbortOnConnectFail = false);
        builder.Services.AddSingleton<WebhookStreamClient>();
        builder.Services.AddSingleton<DeliveryBatchProcessor>();
        builder.Services.AddHostedService<WebhookStreamConsumer>();

        // Only root spans reach this sampler; spans with a parent follow their parent's decision.
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing =>
            tracing.SetSampler(new ParentBasedSampler(new StreamPollingSampler())));

        return builder;
    }
}
