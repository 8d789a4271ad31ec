namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// The one folder where local servers keep their data: <c>PHONIC_DATA_DIR</c> when set, otherwise
/// <c>.phonic/data</c> at the root of the checkout, so data survives restarts and never leaks between checkouts.
/// Created for its owner alone (0700; under root 0711, since PostgreSQL runs as the <c>postgres</c> user and must enter
/// it to reach its own cluster folder: entered, never listed). A folder the operator points at that already exists
/// keeps its mode (it may be shared, like /tmp); what the servers keep inside is private to its owner either way.
/// </summary>
internal static class LocalDataDirectory
{
    public const string ConfigurationKey = "PHONIC_DATA_DIR";

    public static string Resolve(IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration[ConfigurationKey];
        var directory = string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(builder.AppHostDirectory, "..", ".phonic", "data")
            : configured;

        directory = Path.GetFullPath(directory);
        if (!Directory.Exists(directory))
        {
            CreatePrivate(directory, traversableByOthers: LocalPostgresCluster.RunningAsRoot);
        }

        return directory;
    }

    /// <summary>Creates the folder if needed and makes it its owner's alone.</summary>
    public static void CreatePrivate(string directory, bool traversableByOthers = false)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            File.SetUnixFileMode(directory, traversableByOthers ? mode | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : mode);
        }
    }
}
