namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// The machine's PostgreSQL programs and how tests run them. Debian keeps them off PATH, one folder per major version;
/// PostgreSQL refuses to run as root, so under root (as in CI) they run as the <c>postgres</c> user.
/// </summary>
public static class PostgresPrograms
{
    public const string ServiceUser = "postgres";

    private const string DebianFolder = "/usr/lib/postgresql";

    private static readonly Lazy<string> NewestBinDirectory = new(() =>
        (Directory.Exists(DebianFolder) ? Directory.EnumerateDirectories(DebianFolder) : [])
            .OrderByDescending(version => int.TryParse(Path.GetFileName(version), out var major) ? major : 0)
            .Select(version => Path.Combine(version, "bin"))
            .FirstOrDefault(bin => File.Exists(Path.Combine(bin, "postgres")))
        ?? throw new InvalidOperationException($"No PostgreSQL server under {DebianFolder}; scripts/test installs it."));

    /// <summary>The newest version's folder, the one the AppHost runs too.</summary>
    public static string BinDirectory => NewestBinDirectory.Value;

    public static bool RunningAsRoot => Environment.UserName == "root";

    /// <summary>The command that runs <paramref name="fileName"/> as <see cref="ServiceUser"/> when the tests run as root.</summary>
    public static (string FileName, string[] Arguments) AsServiceUser(string fileName, params string[] arguments) =>
        RunningAsRoot
            ? ("setpriv", [$"--reuid={ServiceUser}", $"--regid={ServiceUser}", "--init-groups", "--", fileName, .. arguments])
            : (fileName, arguments);
}
