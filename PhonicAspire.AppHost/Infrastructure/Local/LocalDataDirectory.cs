namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// The one folder where local servers keep their data: <c>PHONIC_DATA_DIR</c> when set, otherwise
/// <c>.phonic/data</c> at the root of the checkout, so data survives restarts and never leaks between checkouts.
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
        Directory.CreateDirectory(directory);
        return directory;
    }
}
