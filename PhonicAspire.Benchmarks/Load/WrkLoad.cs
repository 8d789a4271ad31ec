using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Load;

/// <summary>
/// Keeps <see cref="BenchmarkSettings.IngestConnections"/> requests in flight with wrk, each sender sending its next
/// delivery as soon as the previous one is answered: the most a target can absorb. wrk (C, with a small Lua script
/// that only sets three headers) is the generator because it costs the target's two cores far less than a .NET client
/// would; a generator that eats a core hides the server's own cost and squeezes every ratio towards one. A warm-up
/// run first, with deliveries of its own when the target deduplicates them.
/// </summary>
public sealed partial class WrkLoad(BenchmarkSettings settings)
{
    private const int Threads = 2;
    private static readonly TimeSpan RunLimitBeyondDuration = TimeSpan.FromSeconds(30);

    public async Task<ClosedLoopResult> RunAsync(Uri target, IReadOnlyList<SignedWebhook> deliveries, bool reuseDeliveries, CancellationToken cancellationToken)
    {
        // One body for all: wrk sends the same bytes every time, only the headers change.
        if (deliveries.Any(delivery => !delivery.Body.AsSpan().SequenceEqual(deliveries[0].Body)))
        {
            throw new ArgumentException("wrk sends one body; the deliveries must share it.", nameof(deliveries));
        }

        using var files = new LoadFiles(deliveries[0].Body);
        var warmUpShare = reuseDeliveries ? deliveries : deliveries.Take(deliveries.Count / 2).ToArray();
        var measured = reuseDeliveries ? deliveries : deliveries.Skip(warmUpShare.Count).ToArray();
        await RunWrkAsync(target, files.Write("warm-up", warmUpShare), files.Body, reuseDeliveries, settings.IngestWarmUp, cancellationToken);
        var output = await RunWrkAsync(target, files.Write("measured", measured), files.Body, reuseDeliveries, settings.IngestDuration, cancellationToken);
        return Parse(output, settings.IngestDuration);
    }

    private async Task<string> RunWrkAsync(
        Uri target, string deliveriesFile, string bodyFile, bool reuse, TimeSpan duration, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("wrk")
        {
            ArgumentList =
            {
                "--threads", Threads.ToString(CultureInfo.InvariantCulture),
                "--connections", settings.IngestConnections.ToString(CultureInfo.InvariantCulture),
                "--duration", $"{(int)duration.TotalSeconds}s",
                "--timeout", "10s",
                "--latency",
                "--script", Path.Combine(Checkout.Root, "PhonicAspire.Benchmarks", "Load", "signed-deliveries.lua"),
                new Uri(target, SignedWebhook.Route).ToString(),
                "--", deliveriesFile, bodyFile, reuse ? "reuse" : "once", Threads.ToString(CultureInfo.InvariantCulture),
            },
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
            ? await output
            : throw new InvalidOperationException($"wrk exited with {wrk.ExitCode}: {await errors}{await output}");
    }

    private static ClosedLoopResult Parse(string output, TimeSpan duration)
    {
        var requests = long.Parse(RequestsLine().Match(output) is { Success: true } match
            ? match.Groups["requests"].Value
            : throw new InvalidOperationException($"wrk's output has no request count:\n{output}"), CultureInfo.InvariantCulture);
        var unexpected = NonSuccessLine().Match(output) is { Success: true } non2xx
            ? long.Parse(non2xx.Groups["count"].Value, CultureInfo.InvariantCulture)
            : 0;
        var errors = SocketErrorsLine().Match(output) is { Success: true } socket
            ? socket.Groups.Values.Skip(1).Sum(group => long.Parse(group.Value, CultureInfo.InvariantCulture))
            : 0;
        var answered = requests - unexpected;
        return new ClosedLoopResult(
            answered / duration.TotalSeconds,
            new LatencySummary(Percentile(output, "50"), Percentile(output, "99"), (int)Math.Min(answered, int.MaxValue)),
            (int)(unexpected + errors),
            output.Contains("signed deliveries exhausted", StringComparison.Ordinal));
    }

    private static TimeSpan Percentile(string output, string percentile)
    {
        var match = Regex.Match(output, $@"^\s*{percentile}%\s+(?<value>[\d.]+)(?<unit>us|ms|s)\s*$", RegexOptions.Multiline);
        if (!match.Success)
        {
            throw new InvalidOperationException($"wrk's output has no {percentile}th percentile:\n{output}");
        }

        var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        return match.Groups["unit"].Value switch
        {
            "us" => TimeSpan.FromMicroseconds(value),
            "ms" => TimeSpan.FromMilliseconds(value),
            _ => TimeSpan.FromSeconds(value),
        };
    }

    [GeneratedRegex(@"^\s*(?<requests>\d+) requests in ", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (?<count>\d+)")]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrorsLine();

    /// <summary>The body and the signed headers, in a folder of their own that goes with the run.</summary>
    private sealed class LoadFiles : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("phonic-wrk-").FullName;

        public LoadFiles(byte[] body)
        {
            Body = Path.Combine(_folder, "body.json");
            File.WriteAllBytes(Body, body);
        }

        public string Body { get; }

        public string Write(string name, IEnumerable<SignedWebhook> deliveries)
        {
            var path = Path.Combine(_folder, $"{name}.txt");
            var lines = new StringBuilder();
            foreach (var delivery in deliveries)
            {
                lines.Append(delivery.SvixId).Append(' ').Append(delivery.Timestamp.ToString(CultureInfo.InvariantCulture))
                    .Append(' ').Append(delivery.Signature).Append('\n');
            }

            File.WriteAllText(path, lines.ToString());
            return path;
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
