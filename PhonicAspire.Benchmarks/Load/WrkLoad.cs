using System.Globalization;
using System.Text;
using PhonicAspire.Benchmarks.Stack;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Load;

/// <summary>
/// Keeps <see cref="BenchmarkSettings.IngestConnections"/> requests in flight with wrk (<see cref="WrkProcess"/>),
/// each sender sending its next delivery as soon as the previous one is answered: the most a target can absorb. The
/// Lua script only sets three headers. A warm-up run first, with deliveries of its own when the target deduplicates
/// them.
/// </summary>
public sealed class WrkLoad(BenchmarkSettings settings)
{
    private const string Script = "signed-deliveries.lua";

    /// <param name="serverProcessId">The process that serves <paramref name="target"/>, whose CPU time the window counts.</param>
    public async Task<ClosedLoopResult> RunAsync(
        Uri target, int serverProcessId, IReadOnlyList<SignedWebhook> deliveries, bool reuseDeliveries, CancellationToken cancellationToken)
    {
        // One body for all: wrk sends the same bytes every time, only the headers change.
        if (deliveries.Any(delivery => !delivery.Body.AsSpan().SequenceEqual(deliveries[0].Body)))
        {
            throw new ArgumentException("wrk sends one body; the deliveries must share it.", nameof(deliveries));
        }

        using var files = new LoadFiles();
        var body = files.Write("body.json", deliveries[0].Body);
        var warmUpShare = reuseDeliveries ? deliveries : deliveries.Take(deliveries.Count / 2).ToArray();
        var measured = reuseDeliveries ? deliveries : deliveries.Skip(warmUpShare.Count).ToArray();
        await RunWrkAsync(target, files.Write("warm-up.txt", Lines(warmUpShare)), body, reuseDeliveries, settings.IngestWarmUp, cancellationToken);
        var serverCpu = ProcessGroupCpu.Start(() => [serverProcessId]);
        var summary = await RunWrkAsync(target, files.Write("measured.txt", Lines(measured)), body, reuseDeliveries, settings.IngestDuration, cancellationToken);
        var cpu = serverCpu.Spent();
        return new ClosedLoopResult(
            summary.Answered / settings.IngestDuration.TotalSeconds,
            summary.Latency,
            (int)summary.Unexpected,
            summary.Output.Contains("signed deliveries exhausted", StringComparison.Ordinal),
            summary.Answered > 0 ? cpu / summary.Answered : TimeSpan.Zero);
    }

    private Task<WrkSummary> RunWrkAsync(
        Uri target, string deliveriesFile, string bodyFile, bool reuse, TimeSpan duration, CancellationToken cancellationToken) =>
        WrkProcess.RunAsync(
            target,
            Script,
            settings.IngestConnections,
            duration,
            [deliveriesFile, bodyFile, reuse ? "reuse" : "once", WrkProcess.Threads.ToString(CultureInfo.InvariantCulture)],
            cancellationToken);

    private static byte[] Lines(IEnumerable<SignedWebhook> deliveries)
    {
        var lines = new StringBuilder();
        foreach (var delivery in deliveries)
        {
            lines.Append(delivery.SvixId).Append(' ').Append(delivery.Timestamp.ToString(CultureInfo.InvariantCulture))
                .Append(' ').Append(delivery.Signature).Append('\n');
        }

        return Encoding.UTF8.GetBytes(lines.ToString());
    }
}
