namespace PhonicAspire.Testing;

/// <summary>
/// The read-only reference material beside the repository (<c>../shared</c>): Phonic's sample payloads and the
/// Svix verification cases. Found by walking up from the binaries, or from where a benchmark was started, so it
/// works from any clone location.
/// </summary>
public static class SharedFiles
{
    public static string Root { get; } = Locate();

    public static string PhonicPayload(string fileName) => Path.Combine(Root, "phonic", "payloads", fileName);

    public static string SvixCases => Path.Combine(Root, "svix", "cases.json");

    private static string Locate()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "shared");
                if (Directory.Exists(Path.Combine(candidate, "svix")) && Directory.Exists(Path.Combine(candidate, "phonic")))
                {
                    return candidate;
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"No 'shared' folder with svix/ and phonic/ above {AppContext.BaseDirectory}; it sits beside the repository.");
    }
}
