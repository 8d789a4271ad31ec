namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// Where the machine's Redis and PostgreSQL binaries are. Debian's <c>postgresql</c> package keeps its server out of
/// PATH, under <c>/usr/lib/postgresql/&lt;version&gt;/bin</c>, so that folder is searched too.
/// </summary>
internal sealed record LocalServerBinaries(string RedisServer, string Postgres, string InitDb)
{
    public static bool TryLocate(out LocalServerBinaries binaries, out string missing)
    {
        var redisServer = FindOnPath("redis-server");
        var postgresDirectory = FindPostgresDirectory();

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

    private static string? FindPostgresDirectory()
    {
        var onPath = FindOnPath("postgres");
        if (onPath is not null && File.Exists(Path.Combine(Path.GetDirectoryName(onPath)!, "initdb")))
        {
            return Path.GetDirectoryName(onPath);
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (!Directory.Exists(debianRoot))
        {
            return null;
        }

        return Directory.EnumerateDirectories(debianRoot)
            .Select(versionDirectory => Path.Combine(versionDirectory, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "postgres")) && File.Exists(Path.Combine(bin, "initdb")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
            .FirstOrDefault();
    }

    private static string? FindOnPath(string executable) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);
}
