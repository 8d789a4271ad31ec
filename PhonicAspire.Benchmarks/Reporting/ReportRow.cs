namespace PhonicAspire.Benchmarks.Reporting;

/// <param name="Met">"yes"/"no" for a row with a target, "" for one that only informs.</param>
public sealed record ReportRow(string Benchmark, string PhonicAspire, string Baseline, string RatioOrTarget, string Met)
{
    public static string Verdict(bool met) => met ? "yes" : "**no**";
}
