using System.Diagnostics.CodeAnalysis;

namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// Redis and PostgreSQL from the machine's own packages, for machines without a container runtime. They run as
/// executable resources: the dashboard shows their state and logs, and they stop with the AppHost.
/// </summary>
internal static class LocalBackingServices
{
    /// <summary>Adds the local servers; false, with one line that says why, when this machine cannot run them.</summary>
    public static bool TryAddLocalBackingServices(
        this IDistributedApplicationBuilder builder, RedisServerSettings redisSettings, [NotNullWhen(true)] out BackingServices? backing, out string problem)
    {
        backing = null;
        if (!LocalPorts.TryFindCandidates(LocalPorts.EphemeralRange(), out _, out _, out problem))
        {
            return false;
        }

        var dataDirectory = LocalDataDirectory.Resolve(builder);
        var cluster = LocalPostgresCluster.Folder(dataDirectory, ResourceNames.Postgres);
        if (!LocalServerBinaries.TryLocate(cluster, out var binaries, out var missing))
        {
            problem = $"Local mode needs {missing} on this machine.";
            return false;
        }

        if (LocalServerBinaries.ClusterRefusal(cluster, binaries.Postgres, LocalServerBinaries.DebianRoot) is { } refusal)
        {
            problem = refusal;
            return false;
        }

        var redis = builder.AddLocalRedis(ResourceNames.Redis, binaries, dataDirectory, redisSettings);
        var database = builder.AddLocalPostgres(ResourceNames.Postgres, binaries, dataDirectory)
            .AddLocalDatabase(ResourceNames.Database);

        backing = new BackingServices(redis, database);
        return true;
    }
}
