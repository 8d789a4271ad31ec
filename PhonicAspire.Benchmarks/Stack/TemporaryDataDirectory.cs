namespace PhonicAspire.Benchmarks.Stack;

/// <summary>Redis's AOF and the PostgreSQL cluster of one run, removed with everything in it at the end.</summary>
public sealed class TemporaryDataDirectory : IDisposable
{
    private TemporaryDataDirectory(string path) => Path = path;

    public string Path { get; }

    public static TemporaryDataDirectory Create()
    {
        var directory = Directory.CreateTempSubdirectory("phonic-bench-");
        // Under root PostgreSQL runs as the postgres user, which must be able to enter the folder.
        directory.UnixFileMode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return new TemporaryDataDirectory(directory.FullName);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
