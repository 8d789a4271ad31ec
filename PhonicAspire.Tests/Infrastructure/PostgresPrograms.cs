namespace PhonicAspire.Tests.Infrastructure;

/// <summary>The machine's PostgreSQL programs. Debian keeps them off PATH, one folder per major version.</summary>
public static class PostgresPrograms
{
    private const string DebianFolder = "/usr/lib/postgresql";

    /// <summary>The newest version's folder, the one the AppHost runs too.</summary>
    public static string BinDirectory =>
        (Directory.Exists(DebianFolder) ? Directory.EnumerateDirectories(DebianFolder) : [])
            .OrderByDescending(version => int.TryParse(Path.GetFileName(version), out var major) ? major : 0)
            .Select(version => Path.Combine(version, "bin"))
            .FirstOrDefault(bin => File.Exists(Path.Combine(bin, "postgres")))
        ?? throw new InvalidOperationException($"No PostgreSQL server under {DebianFolder}; scripts/test installs it.");
}
