using System.Diagnostics;
using System.Globalization;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Load;

/// <summary>
/// Runs wrk (C, with a small Lua script from this folder) against a target's webhook route and reads its summary.
/// wrk is the generator because it costs the target's two cores far less than a .NET client would; a generator that
/// eats a core hides the server's own cost and squeezes every ratio towards one.
/// </summary>
public static class WrkProcess
{
    public const int Threads = 2;
    private static readonly TimeSpan RunLimitBeyondDuration = TimeSpan.FromSeconds(30);

    public static async Task<WrkSummary> RunAsync(
        Uri target, string script, int connections, TimeSpan duration, IEnumerable<string> scriptArguments, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            "--threads", Threads.ToString(CultureInfo.InvariantCulture),
            "--connections", connections.ToString(CultureInfo.InvariantCulture),
            "--duration", $"{(int)Math.Ceiling(duration.TotalSeconds)}s",
            "--timeout", "10s",
            "--latency",
            "--script", Path.Combine(Checkout.Root, "PhonicAspire.Benchmarks", "Load", script),
            new Uri(target, SignedWebhook.Route).ToString(),
            "--", .. scriptArguments,
        ];
        var start = new ProcessStartInfo("wrk", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start; scripts/bench installs it.");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(duration + RunLimitBeyondDuration);
        var output = wrk.StandardOutput.ReadToEndAsync(limit.Token);
        var errors = wrk.StandardError.ReadToEndAsync(limit.Token);
        await wrk.WaitForExitAsync(limit.Token);
        return wrk.ExitCode == 0
            ? WrkSummary.Parse(await output)
            : throw new InvalidOperationException($"wrk exited with {wrk.ExitCode}: {await errors}{await output}");
    }
}
