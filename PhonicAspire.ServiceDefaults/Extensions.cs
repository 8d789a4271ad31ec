using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using PhonicAspire.ServiceDefaults.Telemetry;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The defaults every PhonicAspire service shares: telemetry, health checks, service discovery and resilience.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";
    private const string LiveTag = "live";

    // OpenTelemetry allocates every metric stream's points up front, 2,000 by default: in a heap dump of the worker
    // draining, its ~60 streams held 9 MB of MetricPoint arrays and 2 MB of lookup tables, a third of its managed heap.
    // These services' tags (event type, outcome, destination, route, status) combine to dozens of series per stream;
    // past the limit, measurements still count, under an overflow series.
    private const int MetricSeriesLimit = 200;

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();
        builder.Services.AddProblemDetails();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddSingleton<PhonicMetrics>();
        builder.Services.AddHostedService<TelemetryShutdown>();

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(PhonicMetrics.MeterName)
                .AddView(_ => new MetricStreamConfiguration { CardinalityLimit = MetricSeriesLimit }))
            .WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new ArrivingWorkSampler()))
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(PhonicTracing.SourceName)
                .AddAspNetCoreInstrumentation(aspNetCore =>
                    // Probes from the orchestrator would otherwise bury the webhook traces.
                    aspNetCore.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();

            // The exporter retries by itself; the standard resilience handler every client gets above would retry
            // each export again with seconds of back-off, which a service shutting down waits out before it exits.
#pragma warning disable EXTEXP0001 // Experimental, but the documented way to opt one client out of the defaults.
            foreach (var exporterClient in (string[])["OtlpTraceExporter", "OtlpMetricExporter", "OtlpLogExporter"])
            {
                builder.Services.AddHttpClient(exporterClient).RemoveAllResilienceHandlers();
            }
#pragma warning restore EXTEXP0001
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);

        // After every Configure, so the checks the client integrations register are bound too.
        builder.Services.PostConfigure<HealthCheckServiceOptions>(TimeBoundHealthCheck.Bound);

        return builder;
    }

    /// <summary>
    /// Failures and bare status codes answer RFC 9457 problem details. Without it, a route that throws in Development
    /// (where the operator routes exist) answers the developer exception page, whose plain text echoes the request's
    /// headers, the operator key among them.
    /// </summary>
    public static WebApplication UseProblemResponses(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Exposed in every environment: the orchestrator and the load balancer probe them, and they reveal nothing
        // beyond healthy/unhealthy.
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync });
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        });

        return app;
    }
}
