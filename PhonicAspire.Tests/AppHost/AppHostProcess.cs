using System.Diagnostics;

namespace PhonicAspire.Tests.AppHost;

/// <summary>The AppHost run as a process, for what it does without starting anything: refuse what it cannot run, publish its manifest.</summary>
public static class AppHostProcess
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Runs the AppHost with <paramref name="environment"/> until it exits by itself, within a bound.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, [Path.Combine(AppContext.BaseDirectory, "PhonicAspire.AppHost.dll"), .. arguments])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var standardError = process.StandardError.ReadToEndAsync();
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(ExitTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The AppHost did not exit within {ExitTimeout.TotalSeconds:0} s.");
        }

        return (process.ExitCode, await standardOutput, await standardError);
    }
}
