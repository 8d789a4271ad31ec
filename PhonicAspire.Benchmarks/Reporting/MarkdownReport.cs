using System.Globalization;
using System.Text;
using PhonicAspire.Benchmarks.Drain;
using PhonicAspire.Benchmarks.EndToEnd;
using PhonicAspire.Benchmarks.Ingest;
using PhonicAspire.Benchmarks.Memory;

namespace PhonicAspire.Benchmarks.Reporting;

/// <summary>The run's results as a Markdown table, every ratio against a baseline measured in the same run.</summary>
public sealed record MarkdownReport(
    string Machine,
    string ServicesConfiguration,
    IngestResult Ingest,
    DrainResult Drain,
    EndToEndResult EndToEnd,
    ServiceMemory ApiMemory,
    ServiceMemory WorkerMemory,
    BenchmarkSettings Settings)
{
    private const double IngestTarget = 0.5;
    private const double DrainTarget = 0.5;
    private static readonly TimeSpan StoreLatencyTarget = TimeSpan.FromMilliseconds(50);
    // Decimal megabytes, the stricter reading of "150 MB".
    private const long MemoryTargetBytes = 150_000_000;

    public IEnumerable<ReportRow> Rows()
    {
        var ingestRatio = Ingest.Api.PerSecond / Ingest.Baseline.PerSecond;
        yield return new ReportRow(
            $"Ingest: signed conversation.ended acknowledged/s ({Settings.IngestConnections} connections, {Settings.IngestDuration.TotalSeconds:F0} s)",
            Rate(Ingest.Api.PerSecond), Rate(Ingest.Baseline.PerSecond) + " (bare ASP.NET Core, reads body, 200)",
            $"{ingestRatio:F2} / ≥ {IngestTarget:F2}", ReportRow.Verdict(ingestRatio >= IngestTarget));
        yield return new ReportRow("Ingest: acknowledgement latency p50", Ms(Ingest.Api.Latency.P50), Ms(Ingest.Baseline.Latency.P50), "", "");
        yield return new ReportRow("Ingest: acknowledgement latency p99", Ms(Ingest.Api.Latency.P99), Ms(Ingest.Baseline.Latency.P99), "", "");

        var single = Drain.SingleWorker;
        var drainRatio = single.PerSecond / Drain.RawCopyPerSecond;
        yield return new ReportRow(
            $"Drain, 1 worker: {Settings.DrainEvents:N0} stream entries → webhook_events, events/s",
            Rate(single.PerSecond), Rate(Drain.RawCopyPerSecond) + " (binary COPY into one jsonb column)",
            $"{drainRatio:F2} / ≥ {DrainTarget:F2}", ReportRow.Verdict(drainRatio >= DrainTarget));
        foreach (var round in Drain.Rounds.Skip(1))
        {
            yield return new ReportRow(
                $"Drain, {round.Workers} workers: {Settings.DrainEvents:N0} stream entries → webhook_events, events/s",
                Rate(round.PerSecond), Rate(single.PerSecond) + " (1 worker, same run)",
                string.Create(CultureInfo.InvariantCulture, $"{round.PerSecond / single.PerSecond:F2} × 1 worker"), "");
        }

        yield return new ReportRow(
            "Drain: each round stored every entry once (rows = entries sent, no other rows; nothing pending, left in the stream or dead-lettered)",
            string.Join("; ", Drain.Rounds.Select(round => $"{Workers(round.Workers)}: {Describe(round)}")), "", "",
            ReportRow.Verdict(Drain.Rounds.All(round => round.StoredOnce.Holds)));

        var sent = EndToEnd.Sent;
        yield return new ReportRow(
            $"End to end: achieved send rate (open loop, {Settings.EndToEndDuration.TotalSeconds:F0} s)",
            $"{Rate(sent.SentPerSecond)}, {sent.Acknowledged.Count:N0} acknowledged, {sent.Unexpected} not", "",
            $"target {Rate(Settings.EndToEndRate)}", ReportRow.Verdict(sent.SentPerSecond >= Settings.EndToEndRate * 0.95 && sent.Unexpected == 0));
        yield return new ReportRow("End to end: API acknowledgement latency p50 / p99 (from due time)",
            $"{Ms(sent.Latency.P50)} / {Ms(sent.Latency.P99)}", "", "", "");
        var latency = EndToEnd.Latency;
        yield return new ReportRow("End to end: stored_at − received_at p50", Ms(latency.StampP50), "", "", "");
        yield return new ReportRow("End to end: stored_at − received_at p99", Ms(latency.StampP99), "",
            $"≤ {Ms(StoreLatencyTarget)}", ReportRow.Verdict(latency.StampP99 <= StoreLatencyTarget));
        yield return new ReportRow(
            $"End to end: receipt → commit estimate (next batch's stored_at) p50 / p99, {latency.Batches:N0} batches",
            $"{Ms(latency.CommitBoundP50)} / {Ms(latency.CommitBoundP99)}", "",
            $"≤ {Ms(StoreLatencyTarget)} (p99)", ReportRow.Verdict(latency.CommitBoundP99 <= StoreLatencyTarget));

        yield return MemoryRow("webhookapi", ApiMemory);
        foreach (var round in Drain.Rounds)
        {
            var peak = round.WorkerMemory.Max(memory => memory.PeakBytes);
            yield return new ReportRow(
                $"Peak RSS (VmHWM) per worker process at the end of the drain with {Workers(round.Workers)}",
                string.Join(" / ", round.WorkerMemory.Select(memory => Megabytes(memory.PeakBytes))), "",
                $"≤ {MemoryTargetBytes / 1_000_000} MB each", ReportRow.Verdict(peak <= MemoryTargetBytes));
        }

        yield return MemoryRow("worker", WorkerMemory);
    }

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("# PhonicAspire benchmarks").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine}").AppendLine();
        text.AppendLine("| benchmark | PhonicAspire | baseline | ratio/target | met? |");
        text.AppendLine("| --- | --- | --- | --- | --- |");
        foreach (var row in Rows())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {row.Benchmark} | {row.PhonicAspire} | {row.Baseline} | {row.RatioOrTarget} | {row.Met} |");
        }

        text.AppendLine();
        foreach (var note in Notes())
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        return text.ToString();
    }

    private IEnumerable<string> Notes()
    {
        yield return $"Services run the {ServicesConfiguration} build (the `-c` of the `dotnet run` launcher DCP started).";
        yield return $"Ingest hits the API's non-proxied endpoint {Ingest.ApiAddress} (Kestrel directly, no DCP proxy); "
            + "the baseline is a separate server process on loopback. The workers are stopped during ingest so that they do not "
            + "compete for the CPUs; the ingested entries are then trimmed from the stream, never stored.";
        if (Ingest.Api.Unexpected + Ingest.Baseline.Unexpected > 0)
        {
            yield return $"Ingest answers other than expected inside the window: API {Ingest.Api.Unexpected}, baseline {Ingest.Baseline.Unexpected}.";
        }

        if (Ingest.Api.PoolExhausted || Ingest.Baseline.PoolExhausted)
        {
            yield return "The API ran out of pre-signed deliveries before the ingest window ended: its rate is a lower bound.";
        }

        yield return "Each drain round fills the stream while no worker runs, starts that many worker replicas afresh while the "
            + "consumer group's read position is held at the end of the stream, and releases the backlog once each one's own "
            + "/health says it is ready, so that a worker starting sooner does not drain part of it alone. The rate runs from the first poll that "
            + "sees rows to the first that sees all (50 ms polls); the release until the first row took "
            + string.Join(", ", Drain.Rounds.Select(round => $"{Ms(round.FirstRowAfter)} ({Workers(round.Workers)})"))
            + " and is not in the rate.";
        yield return "webhook_events is keyed by svix id, so an entry stored twice would add no row; what shows it is an entry "
            + "still pending or in the stream after the round (it would be claimed and stored again), one dead-lettered, or rows "
            + "the round did not send. Another consumer can take over an entry only once it has been pending for the worker's "
            + "Worker:ClaimIdleTime (30 s by default), longer than a round that settles within the seconds shown.";
        yield return "stored_at is stamped when the worker begins a batch's transaction, before COPY, merge and commit; "
            + "the estimate row uses the next batch's stamp instead, which bounds the commit from above when one batch is stored "
            + "at a time; with the worker's default of two batches in flight it is an estimate. The exact figure is the worker's "
            + "phonic.events.receipt_to_commit histogram in the dashboard.";
        yield return "Peak RSS is VmHWM of the service process. Every drain round starts its workers afresh; the last "
            + "worker row is the first replica of the last round, which then ran end to end alone.";
    }

    private static ReportRow MemoryRow(string service, ServiceMemory memory) =>
        new($"Peak RSS (VmHWM) of {service}, pid {memory.ProcessId}, after all runs", Megabytes(memory.PeakBytes), "",
            $"≤ {MemoryTargetBytes / 1_000_000} MB", ReportRow.Verdict(memory.PeakBytes <= MemoryTargetBytes));

    private static string Describe(DrainRound round)
    {
        var check = round.StoredOnce;
        var seconds = round.SettledAfter.TotalSeconds;
        return check.Holds
            ? string.Create(CultureInfo.InvariantCulture, $"{check.Stored:N0} of {check.Sent:N0} within {seconds:F1} s")
            : string.Create(CultureInfo.InvariantCulture,
                $"{check.Stored:N0} of {check.Sent:N0} stored, table +{check.TableGrowth:N0}, {check.Pending} pending, {check.StreamLength} in stream, {check.DeadLettered} dead-lettered after {seconds:F1} s");
    }

    private static string Workers(int count) => count == 1 ? "1 worker" : $"{count} workers";

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F0} MB");

    private static string Rate(double perSecond) => string.Create(CultureInfo.InvariantCulture, $"{perSecond:N0}/s");

    private static string Ms(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:F1} ms");
}
