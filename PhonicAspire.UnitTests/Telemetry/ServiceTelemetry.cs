using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using PhonicAspire.ServiceDefaults.Telemetry;

namespace PhonicAspire.UnitTests.Telemetry;

/// <summary>A host with the services' telemetry defaults, its metrics read through an in-memory exporter.</summary>
internal sealed class ServiceTelemetry(IHost host, List<Metric> exported) : IAsyncDisposable
{
    public PhonicMetrics Metrics => host.Services.GetRequiredService<PhonicMetrics>();

    public static async Task<ServiceTelemetry> StartAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.ConfigureOpenTelemetry();
        var exported = new List<Metric>();
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported));
        var host = builder.Build();
        await host.StartAsync();
        return new ServiceTelemetry(host, exported);
    }

    /// <summary>The points of <paramref name="metricName"/> in a fresh export, none of an earlier one.</summary>
    public List<MetricPoint> Collect(string metricName)
    {
        exported.Clear();
        Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush());
        var points = new List<MetricPoint>();
        foreach (var metric in exported.Where(metric => metric.Name == metricName))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                points.Add(point);
            }
        }

        return points;
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
