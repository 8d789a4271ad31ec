namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// How a new PostgreSQL cluster is created, in both modes: UTF-8 with the C locale. Text keys (svix ids, conversation
/// ids) are then compared and sorted byte by byte in every index lookup and sort, not by the C library's language
/// rules, which the postgres image's default locale (en_US.utf8) would apply, which cost more, and which an upgrade of
/// that library can reorder under an existing index. A cluster keeps the locale it was created with, so this reaches
/// new data folders and volumes only.
/// </summary>
internal static class PostgresClusterSettings
{
    // The postgres image passes this to initdb when it creates the cluster in an empty volume.
    private const string ContainerInitDbVariable = "POSTGRES_INITDB_ARGS";

    public static IReadOnlyList<string> InitDbArguments { get; } = ["--encoding=UTF8", "--locale=C"];

    /// <summary>
    /// Adds <see cref="InitDbArguments"/> to what the container's initdb is given, after the password authentication
    /// Aspire's <c>AddPostgres</c> puts there.
    /// </summary>
    public static IResourceBuilder<PostgresServerResource> WithClusterSettings(this IResourceBuilder<PostgresServerResource> postgres) =>
        postgres.WithEnvironment(context =>
        {
            var ours = string.Join(' ', InitDbArguments);
            context.EnvironmentVariables[ContainerInitDbVariable] = context.EnvironmentVariables.GetValueOrDefault(ContainerInitDbVariable) switch
            {
                null or "" => ours,
                string given => $"{given} {ours}",
                var other => throw new InvalidOperationException($"{ContainerInitDbVariable} is {other.GetType().Name}, not text: {ours} cannot be added to it."),
            };
        });
}
