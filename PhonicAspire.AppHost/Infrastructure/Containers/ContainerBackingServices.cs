namespace PhonicAspire.AppHost.Infrastructure.Containers;

/// <summary>Redis and PostgreSQL as containers with persistent volumes: what Docker users get on F5.</summary>
internal static class ContainerBackingServices
{
    public const string RedisImageTag = "7.4";

    // A volume's cluster can be served only by the major version that made it, so the major is pinned here rather
    // than left to the default of whichever Aspire package comes next, which would leave the kept volume refused.
    public const string PostgresImageTag = "18.3";

    public static BackingServices AddContainerBackingServices(this IDistributedApplicationBuilder builder, RedisServerSettings redisSettings)
    {
        var redis = builder.AddRedis(ResourceNames.Redis)
            .WithImageTag(RedisImageTag)
            .WithDataVolume()
            .WithServerSettings(redisSettings);

        // The image's entrypoint starts the server with arguments that begin with a dash, as `postgres …`.
        var database = builder.AddPostgres(ResourceNames.Postgres)
            .WithImageTag(PostgresImageTag)
            .WithDataVolume()
            .WithClusterSettings()
            .WithArgs([.. PostgresServerSettings.Arguments])
            .AddDatabase(ResourceNames.Database);

        return new BackingServices(redis, database);
    }
}
