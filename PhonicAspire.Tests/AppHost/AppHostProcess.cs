using System.Diagnostics;
using PhonicAspire.Tests.Infrastructure;

namespace PhonicAspire.Tests.AppHost;

/// <summary>The AppHost run as a process, for what it does without starting anything: refuse what it cannot run, publish its manifest.</summary>
public static class AppHostProcess
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs the AppHost with <paramref name="environment"/> until it exits by itself, within a bound.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, [Path.Combine(AppContext.BaseDirectory, "PhonicAspire.AppHost.dll"), .. arguments]);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return await CommandRun.RunAsync(start, ExitTimeout);
    }
}
