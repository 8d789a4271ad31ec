namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// Redis and PostgreSQL from the machine's own packages, for machines without a container runtime. They run as
/// executable resources: the dashboard shows their state and logs, and they stop with the AppHost.
/// </summary>
internal static class LocalBackingServices
{
    public static BackingServices AddLocalBackingServices(this IDistributedApplicationBuilder builder, RedisServerSettings redisSettings)
    {
        var dataDirectory = LocalDataDirectory.Resolve(builder);
        if (!LocalServerBinaries.TryLocate(LocalPostgresCluster.Folder(dataDirectory, ResourceNames.Postgres), out var binaries, out var missing))
        {
            throw new DistributedApplicationException($"Local mode needs {missing} on this machine.");
        }

        var redis = builder.AddLocalRedis(ResourceNames.Redis, binaries, dataDirectory, redisSettings);
        var database = builder.AddLocalPostgres(ResourceNames.Postgres, binaries, dataDirectory)
            .AddLocalDatabase(ResourceNames.Database);

        return new BackingServices(redis, database);
    }
}
