using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace PhonicAspire.AppHost.Infrastructure.Local;

internal static class LocalRedisBuilderExtensions
{
    public static IResourceBuilder<LocalRedisResource> AddLocalRedis(
        this IDistributedApplicationBuilder builder, string name, LocalServerBinaries binaries, string dataDirectory, RedisServerSettings settings)
    {
        var redisDirectory = Path.Combine(dataDirectory, name);
        LocalDataDirectory.CreatePrivate(redisDirectory);

        // A password as in containers mode, kept beside the data. It reaches redis-server through a config file
        // only its owner can read: on the command line every local user would see it in the process list.
        var passwordValue = LocalSecretFile.ReadOrCreate(Path.Combine(dataDirectory, $"{name}.password"));
        var password = builder.AddParameter($"{name}-password", passwordValue, secret: true);
        var configFile = Path.Combine(redisDirectory, "redis.conf");
        LocalSecretFile.Write(configFile, $"requirepass {passwordValue}\n");

        var port = LocalPorts.ReserveFree();
        var redis = new LocalRedisResource(name, binaries.RedisServer, redisDirectory, password.Resource);

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
                // The config file first: Redis reads it, then lets the arguments that follow override it.
                configFile,
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
