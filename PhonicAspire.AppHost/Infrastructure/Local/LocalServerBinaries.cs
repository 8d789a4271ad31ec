namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// Where the machine's Redis and PostgreSQL binaries are. Debian's <c>postgresql</c> package keeps its server out of
/// PATH, under <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, so that folder is searched too.
/// </summary>
internal sealed record LocalServerBinaries(string RedisServer, string Postgres, string InitDb)
{
    public const string DebianRoot = "/usr/lib/postgresql";

    /// <param name="postgresCluster">The cluster the server will serve, if it may exist already.</param>
    public static bool TryLocate(string? postgresCluster, out LocalServerBinaries binaries, out string missing)
    {
        var redisServer = FindOnPath("redis-server");
        var postgresDirectory = FindPostgresDirectory(postgresCluster, DebianRoot);

        missing = (redisServer, postgresDirectory) switch
        {
            (null, null) => "redis-server and PostgreSQL (postgres, initdb)",
            (null, _) => "redis-server",
            (_, null) => "PostgreSQL (postgres, initdb)",
            _ => string.Empty,
        };

        binaries = new LocalServerBinaries(
            redisServer ?? string.Empty,
            postgresDirectory is null ? string.Empty : Path.Combine(postgresDirectory, "postgres"),
            postgresDirectory is null ? string.Empty : Path.Combine(postgresDirectory, "initdb"));

        return missing.Length == 0;
    }

    /// <summary>
    /// The folder of the <c>postgres</c> and <c>initdb</c> to use: the version that made <paramref name="postgresCluster"/>
    /// where Debian has it, since a server of another major version refuses the cluster (a distribution's upgrade, or
    /// PGDG's packages, installs a newer one beside it); otherwise the one on PATH, otherwise Debian's newest.
    /// </summary>
    public static string? FindPostgresDirectory(string? postgresCluster, string debianRoot)
    {
        var clusterVersion = postgresCluster is null ? null : ReadClusterVersion(postgresCluster);
        if (clusterVersion is not null && Path.Combine(debianRoot, clusterVersion, "bin") is var madeBy && HasServer(madeBy))
        {
            return madeBy;
        }

        var onPath = FindOnPath("postgres");
        if (onPath is not null && File.Exists(Path.Combine(Path.GetDirectoryName(onPath)!, "initdb")))
        {
            return Path.GetDirectoryName(onPath);
        }

        if (!Directory.Exists(debianRoot))
        {
            return null;
        }

        return Directory.EnumerateDirectories(debianRoot)
            .Select(versionDirectory => Path.Combine(versionDirectory, "bin"))
            .Where(HasServer)
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
            .FirstOrDefault();
    }

    /// <summary>
    /// Why <paramref name="postgres"/> cannot serve <paramref name="postgresCluster"/>, where that is known before
    /// starting it: the cluster was made by another major version, which a server refuses, and this one's version is
    /// told by the folder Debian installs it in (links followed). Null otherwise, the server then having its own say.
    /// Without this the server exits at each start and the stack waits for it with no word on the console.
    /// </summary>
    public static string? ClusterRefusal(string postgresCluster, string postgres, string debianRoot)
    {
        var madeBy = ReadClusterVersion(postgresCluster);
        var installed = DebianVersionOf(postgres, debianRoot);
        return madeBy is null || installed is null || madeBy == installed
            ? null
            : $"The local PostgreSQL cluster in {postgresCluster} was made by PostgreSQL {madeBy}, and the server this machine would run is " +
              $"PostgreSQL {installed}, which refuses a cluster of another major version: install PostgreSQL {madeBy} (Debian's postgresql-{madeBy}, " +
              "from PostgreSQL's own apt repository where the distribution has none), or move the folder away to start with an empty cluster.";
    }

    // <debianRoot>/<major>/bin/postgres, once any links to it are followed.
    private static string? DebianVersionOf(string postgres, string debianRoot)
    {
        var server = new FileInfo(postgres);
        var bin = Path.GetDirectoryName(server.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? server.FullName);
        var versionFolder = Path.GetDirectoryName(bin);
        return Path.GetFileName(bin) == "bin" && versionFolder is not null
            && Path.GetDirectoryName(versionFolder) == Path.TrimEndingDirectorySeparator(Path.GetFullPath(debianRoot))
            && Path.GetFileName(versionFolder) is var version && IsMajorVersion(version)
            ? version
            : null;
    }

    private static bool HasServer(string bin) => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb"));

    // PG_VERSION holds the major version that made the cluster, such as "15"; anything else, or a file this user
    // cannot read, is no version to look for: the server then has its own say.
    private static string? ReadClusterVersion(string cluster)
    {
        var file = Path.Combine(cluster, "PG_VERSION");
        try
        {
            var version = File.Exists(file) ? File.ReadAllText(file).Trim() : null;
            return version is not null && IsMajorVersion(version) ? version : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsMajorVersion(string name) => name is { Length: > 0 and <= 4 } && name.All(char.IsAsciiDigit);

    private static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);
}
