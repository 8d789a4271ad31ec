using Microsoft.Extensions.DependencyInjection;
using System.Globalization;

namespace PhonicAspire.AppHost.Infrastructure.Local;

internal static class LocalRedisBuilderExtensions
{
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, LocalServerBinaries binaries, string dataDirectory, RedisServerSettings settings)
    {
        var redisDirectory = Path.Combine(dataDirectory, name);
        Directory.CreateDirectory(redisDirectory);

        var port = LocalPorts.ReserveFree();
        var redis = new LocalRedisResource(name, binaries.RedisServer, redisDirectory);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(redis, async (_, cancellationToken) =>
            connectionString = await ((IResourceWithConnectionString)redis).GetConnectionStringAsync(cancellationToken).ConfigureAwait(false));

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddRedis(
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of '{name}' is not available yet."),
            name: healthCheckKey);

        return builder.AddResource(redis)
            .WithEndpoint(LocalRedisResource.EndpointName, endpoint =>
            {
                endpoint.Port = port;
                endpoint.TargetPort = port;
                endpoint.UriScheme = "tcp";
                endpoint.IsProxied = false;
            })
            .WithArgs(
                "--port", port.ToString(CultureInfo.InvariantCulture),
                // "-::1": listen on IPv6 loopback too when the machine has it, since "localhost" may resolve to it.
                "--bind", "127.0.0.1 -::1",
                "--dir", redisDirectory,
                "--daemonize", "no")
            .WithArgs(settings.Arguments.ToArray())
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }
}
