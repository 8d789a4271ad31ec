namespace PhonicAspire.Testing;

/// <summary>Redis's AOF and the PostgreSQL cluster of one stack, removed with everything in it at the end.</summary>
public sealed class TemporaryDataDirectory : IDisposable
{
    private TemporaryDataDirectory(string path) => Path = path;

    public string Path { get; }

    public static TemporaryDataDirectory Create()
    {
        var directory = Directory.CreateTempSubdirectory("phonic-stack-");
        // Under root (CI) PostgreSQL runs as the postgres user, which must be able to enter the folder.
        if (!OperatingSystem.IsWindows())
        {
            directory.UnixFileMode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        }

        return new TemporaryDataDirectory(directory.FullName);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
