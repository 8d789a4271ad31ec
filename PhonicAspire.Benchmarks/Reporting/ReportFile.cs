namespace PhonicAspire.Benchmarks.Reporting;

/// <summary>Keeps the last report in <c>artifacts/benchmarks.md</c> at the root of the checkout (git-ignored).</summary>
public static class ReportFile
{
    public static async Task<string> WriteAsync(string report, CancellationToken cancellationToken)
    {
        var path = Path.Combine(CheckoutRoot(), "artifacts", "benchmarks.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report, cancellationToken);
        return path;
    }

    private static string CheckoutRoot()
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
