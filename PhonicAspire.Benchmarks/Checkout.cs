namespace PhonicAspire.Benchmarks;

/// <summary>The root of the checkout the benchmark runs from, where its report goes and its Node peer lives.</summary>
public static class Checkout
{
    public static string Root { get; } = Locate();

    private static string Locate()
    {
        for (var directory = new DirectoryInfo(Directory.GetCurrentDirectory()); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PhonicAspire.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No PhonicAspire.sln above {Directory.GetCurrentDirectory()}.");
    }
}
