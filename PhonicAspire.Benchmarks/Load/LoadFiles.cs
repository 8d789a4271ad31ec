namespace PhonicAspire.Benchmarks.Load;

/// <summary>The files a wrk script reads, in a folder of their own that goes with the run.</summary>
public sealed class LoadFiles : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("phonic-wrk-").FullName;

    /// <summary>Writes <paramref name="contents"/> to a file of that name in the folder and returns its path.</summary>
    public string Write(string name, byte[] contents)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, contents);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
