namespace PhonicAspire.Benchmarks.Reporting;

/// <summary>Keeps the last report in <c>artifacts/benchmarks.md</c> at the root of the checkout (git-ignored).</summary>
public static class ReportFile
{
    public static async Task<string> WriteAsync(string report, CancellationToken cancellationToken)
    {
        var path = Path.Combine(Checkout.Root, "artifacts", "benchmarks.md");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, report, cancellationToken);
        return path;
    }
}
