namespace PhonicAspire.Tests.Benchmarks;

/// <summary>
/// A measurement rather than a test: skipped unless PHONIC_BENCHMARKS=1, so normal runs stay fast and never
/// depend on the machine's speed.
/// </summary>
public sealed class BenchmarkFactAttribute : FactAttribute
{
    public BenchmarkFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("PHONIC_BENCHMARKS") != "1")
        {
            Skip = "A benchmark; set PHONIC_BENCHMARKS=1 to run it.";
        }
    }
}
