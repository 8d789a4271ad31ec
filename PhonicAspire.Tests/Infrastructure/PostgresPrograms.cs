namespace PhonicAspire.Tests.Infrastructure;

/// <summary>The machine's PostgreSQL programs. Debian keeps them off PATH, one folder per major version.</summary>
public static class PostgresPrograms
{
    /// <summary>The newest version's folder, the one the AppHost runs too.</summary>
    public static string Directory { get; } = System.IO.Directory.EnumerateDirectories("/usr/lib/postgresql")
        .OrderByDescending(version => int.TryParse(Path.GetFileName(version), out var major) ? major : 0)
        .Select(version => Path.Combine(version, "bin"))
        .First(bin => File.Exists(Path.Combine(bin, "postgres")));
}
