using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using PhonicAspire.WebhookApi.Development;
using PhonicAspire.WebhookApi.Queueing;
using PhonicAspire.WebhookApi.Queueing.Durability;
using PhonicAspire.WebhookApi.Receiving;
using PhonicAspire.Webhooks.Svix;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Configuration;

public static class WebhookApiServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddWebhookReceiving(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services =>
            WebhookSigningKeys.Parse(services.GetRequiredService<IOptions<WebhookOptions>>().Value.WebhookSecrets));
        builder.Services.AddSingleton<SvixSignatureVerifier>();
        builder.Services.AddSingleton<StreamAppender>();
        builder.Services.AddHostedService(services => services.GetRequiredService<StreamAppender>());
        builder.Services.AddSingleton<WebhookQueue>();
        builder.Services.AddSingleton<InFlightBodyBudget>();
        builder.Services.AddSingleton<WebhookBodyReader>();
        builder.Services.AddSingleton<WebhookReceiver>();
        builder.Services.AddSingleton<RedisDurabilityProbe>();
        builder.Services.AddSingleton<RedisDurabilityMonitor>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RedisDurabilityMonitor>());
        builder.Services.AddSingleton<RedisMemoryPressure>();
        builder.Services.AddHealthChecks()
            .AddCheck<RedisDurabilityMonitor>("redis-durability")
            .AddCheck<RedisMemoryPressure>("redis-memory");
        // The route's own answer is the result: the shared standard handler would retry a 503 three times, each after
        // its Retry-After of 5 s, past the 15 s the dashboard gives the command.
#pragma warning disable EXTEXP0001 // Experimental, but the documented way to opt one client out of the defaults.
        builder.Services.AddHttpClient<TestWebhookSender>().RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001

        // The queue traces each delivery's append itself (see WebhookQueue): the generic command profiler keeps every
        // command in memory until its next flush, which at thousands of deliveries a second costs more than the
        // deliveries.
        builder.AddRedisClient("redis", configureSettings: settings => settings.DisableTracing = true, configureOptions: redis =>
        {
            // Fail at once while Redis is away instead of queueing behind a reconnect: the delivery gets 503 and
            // Svix retries it, rather than the request hanging.
            redis.BacklogPolicy = BacklogPolicy.FailFast;
            redis.AbortOnConnectFail = false;
            redis.ConnectTimeout = 2000;

            // CONFIG GET, to check that Redis fsyncs every write before the API acknowledges on it.
            redis.AllowAdmin = true;
        });
        // A command may take as long as a delivery may wait for it: the client's own timeout would otherwise fail a
        // delivery's append first, whatever Phonic:QueueTimeout allows.
        builder.Services.AddOptions<ConfigurationOptions>()
            .Configure<IOptions<WebhookOptions>>((redis, webhook) => redis.AsyncTimeout = (int)Math.Ceiling(webhook.Value.QueueTimeout.TotalMilliseconds));

        // Deliberate limits for an endpoint on the public internet: together with the in-flight body budget they
        // are why clients that announce megabytes and stall cost the API little.
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            // What Kestrel buffers per connection while nobody reads it: a stalled body holds this, not megabytes.
            kestrel.Limits.MaxRequestBufferSize = InFlightBodyBudget.Allowance;
            // Slower than 8 KiB/s after a 5 s grace, a body is cut off (400 body-incomplete). Svix posts each body
            // whole, from its own servers; a caller trickling a body of 64 KiB (which takes nothing from the
            // in-flight budget) holds one of the connections below for about 8 s instead of 4.5 minutes at
            // Kestrel's default 240 bytes/s. A body at the 2 MiB limit may still take over 4 minutes.
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(8 * 1024, TimeSpan.FromSeconds(5));
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            kestrel.Limits.MaxConcurrentConnections = 1000;
            kestrel.Limits.MaxConcurrentUpgradedConnections = 0;
        });

        return builder;
    }
}
