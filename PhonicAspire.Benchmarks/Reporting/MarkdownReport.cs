using System.Globalization;
using System.Text;
using PhonicAspire.Benchmarks.Drain;
using PhonicAspire.Benchmarks.EndToEnd;
using PhonicAspire.Benchmarks.Ingest;
using PhonicAspire.Benchmarks.Memory;
using PhonicAspire.Benchmarks.Telemetry;

namespace PhonicAspire.Benchmarks.Reporting;

/// <summary>The run's results as a Markdown table, every ratio against a baseline measured in the same run.</summary>
public sealed record MarkdownReport(
    string Machine,
    string ServicesConfiguration,
    string ServicesEnvironment,
    IngestResult? Ingest,
    DrainResult? Drain,
    EndToEndResult? EndToEnd,
    ServiceMemory ApiMemory,
    ServiceMemory? WorkerMemory,
    BenchmarkSettings Settings)
{
    private const double IngestTarget = 0.5;
    private const double DurablePeerTarget = 1.5;
    private const double AppendCeilingTarget = 0.5;
    private const double DrainTarget = 0.5;
    private static readonly TimeSpan StoreLatencyTarget = TimeSpan.FromMilliseconds(50);
    // Decimal megabytes, the stricter reading of "150 MB".
    private const long MemoryTargetBytes = 150_000_000;

    /// <summary>Every row of what the run measured.</summary>
    public IEnumerable<ReportRow> Rows() =>
    [
        .. Ingest is null ? [] : IngestRows(Ingest),
        .. Drain is null ? [] : DrainRows(Drain),
        .. EndToEnd is null ? [] : EndToEndRows(EndToEnd),
        .. MemoryRows(),
    ];

    private IEnumerable<ReportRow> IngestRows(IngestResult ingest)
    {
        var ingestRatio = ingest.Api.PerSecond / ingest.Baseline.PerSecond;
        yield return new ReportRow(
            $"Ingest: signed conversation.ended acknowledged/s ({Settings.IngestConnections} connections, {Settings.IngestDuration.TotalSeconds:F0} s)",
            Rate(ingest.Api.PerSecond), Rate(ingest.Baseline.PerSecond) + " (bare ASP.NET Core, reads body, 200)",
            $"{ingestRatio:F2} / ≥ {IngestTarget:F2}", ReportRow.Verdict(ingestRatio >= IngestTarget));
        yield return new ReportRow("Ingest: acknowledgement latency p50", Ms(ingest.Api.Latency.P50), Ms(ingest.Baseline.Latency.P50), "", "");
        yield return new ReportRow("Ingest: acknowledgement latency p99", Ms(ingest.Api.Latency.P99), Ms(ingest.Baseline.Latency.P99), "", "");
        yield return new ReportRow(
            "Ingest: CPU time of the server's process (user + system, not its Redis's) per acknowledged delivery in the window",
            Microseconds(ingest.Api.ServerCpuPerAnswer),
            $"{Microseconds(ingest.Baseline.ServerCpuPerAnswer)} (bare endpoint); docs handler {Microseconds(ingest.DocsHandler.ServerCpuPerAnswer)}, "
                + $"+ durable XADD {Microseconds(ingest.DurableDocsHandler.Load.ServerCpuPerAnswer)} (Node)",
            "", "");

        var docs = ingest.DocsHandler;
        yield return new ReportRow(
            "Ingest vs the docs handler (Node: Hono + svix 1.x verify, 200; not durable), acknowledged/s",
            Rate(ingest.Api.PerSecond), $"{Rate(docs.PerSecond)} (p50 / p99 {Ms(docs.Latency.P50)} / {Ms(docs.Latency.P99)})",
            Ratio(ingest.Api.PerSecond / docs.PerSecond), "");

        var durable = ingest.DurableDocsHandler.Load;
        var durableRatio = ingest.Api.PerSecond / durable.PerSecond;
        yield return new ReportRow(
            "Ingest vs the docs handler + durable XADD (Node, ioredis, Redis appendfsync always), acknowledged/s",
            Rate(ingest.Api.PerSecond), $"{Rate(durable.PerSecond)} (p50 / p99 {Ms(durable.Latency.P50)} / {Ms(durable.Latency.P99)})",
            $"{Ratio(durableRatio)} / ≥ {DurablePeerTarget:F2}", ReportRow.Verdict(durableRatio >= DurablePeerTarget));

        var ceilings = ingest.RedisCeilings;
        var scriptRatio = ingest.Api.PerSecond / ceilings.ScriptPerSecond;
        yield return new ReportRow(
            $"Ingest vs the Redis ceiling of the API's append script (redis-benchmark EVALSHA, {Settings.IngestConnections} clients, appendfsync always), appends/s",
            Rate(ingest.Api.PerSecond), Rate(ceilings.ScriptPerSecond),
            $"{Ratio(scriptRatio)} / ≥ {AppendCeilingTarget:F2}", ReportRow.Verdict(scriptRatio >= AppendCeilingTarget));
        yield return new ReportRow(
            $"Ingest vs the Redis ceiling of a plain XADD of the same entry (redis-benchmark, {Settings.IngestConnections} clients, appendfsync always), appends/s",
            Rate(ingest.Api.PerSecond), Rate(ceilings.XaddPerSecond), Ratio(ingest.Api.PerSecond / ceilings.XaddPerSecond), "");
    }

    private IEnumerable<ReportRow> DrainRows(DrainResult drain)
    {
        var single = drain.SingleWorker;
        var drainRatio = single.PerSecond / drain.RawCopy.PerSecond;
        yield return new ReportRow(
            $"Drain, 1 worker: {Settings.DrainEvents:N0} stream entries → webhook_events, events/s",
            Rate(single.PerSecond), Rate(drain.RawCopy.PerSecond) + " (binary COPY into one jsonb column)",
            $"{drainRatio:F2} / ≥ {DrainTarget:F2}", ReportRow.Verdict(drainRatio >= DrainTarget));
        yield return new ReportRow(
            "Drain, 1 worker: CPU time (user + system) per event, from the backlog's release until it was all acknowledged",
            $"worker {Microseconds(single.CpuPerEvent.Workers)}, PostgreSQL {Microseconds(single.CpuPerEvent.Postgres)}",
            $"PostgreSQL {Microseconds(drain.RawCopy.PostgresCpuPerRow)} a row (the COPY)", "", "");
        foreach (var round in drain.Rounds.Skip(1))
        {
            yield return new ReportRow(
                $"Drain, {round.Workers} workers: {Settings.DrainEvents:N0} stream entries → webhook_events, events/s",
                Rate(round.PerSecond), Rate(single.PerSecond) + " (1 worker, same run)",
                string.Create(CultureInfo.InvariantCulture, $"{round.PerSecond / single.PerSecond:F2} × 1 worker"), "");
        }

        yield return new ReportRow(
            "Drain: each round stored every entry once (rows = entries sent, no other rows; nothing pending, left in the stream or dead-lettered)",
            string.Join("; ", drain.Rounds.Select(round => $"{Workers(round.Workers)}: {Describe(round)}")), "", "",
            ReportRow.Verdict(drain.Rounds.All(round => round.StoredOnce.Holds)));
    }

    private IEnumerable<ReportRow> EndToEndRows(EndToEndResult endToEnd)
    {
        var sent = endToEnd.Sent;
        yield return new ReportRow(
            $"End to end: achieved send rate (open loop, wrk, {sent.Scheduled:N0} deliveries due over {Settings.EndToEndDuration.TotalSeconds:F0} s)",
            $"{Rate(sent.SentPerSecond)}, {sent.Acknowledged:N0} acknowledged, {sent.Unacknowledged:N0} sent and not acknowledged, "
            + $"{sent.NeverSent:N0} not sent before wrk's run ended; sends at most {Ms(sent.ScheduleLag)} behind schedule", "",
            $"target {Rate(Settings.EndToEndRate)}",
            ReportRow.Verdict(sent.SentPerSecond >= Settings.EndToEndRate * 0.95 && sent.Unacknowledged == 0 && sent.NeverSent == 0));
        yield return new ReportRow("End to end: API acknowledgement latency p50 / p99 (from send)",
            $"{Ms(sent.Latency.P50)} / {Ms(sent.Latency.P99)}", "", "", "");
        var stalls = endToEnd.RedisStalls;
        yield return new ReportRow(
            $"End to end: Redis's worst stalls while sending (its latency monitor, events of {Ms(stalls.Threshold)} or more)",
            stalls.Worst.Count == 0 ? "none" : string.Join(", ", stalls.Worst.Select(stall => $"{stall.Event} {Ms(stall.Longest)}")), "", "", "");
        var autovacuum = endToEnd.Autovacuum;
        yield return new ReportRow(
            $"End to end: PostgreSQL's autovacuum workers from the window's start until the worker had acknowledged every delivery (pg_stat_activity every {autovacuum.PollInterval.TotalSeconds:F1} s; their CPU is in PostgreSQL's)",
            autovacuum.Seen.Count == 0
                ? "none seen"
                : string.Join(", ", autovacuum.Seen.Select(work => string.Create(CultureInfo.InvariantCulture, $"{work.Work} for about {work.Seen.TotalSeconds:F1} s"))),
            "", "", "");
        var disk = endToEnd.Disk;
        yield return new ReportRow(
            $"End to end: the disk's own fsync latency p50 / p99 / p99.9 / max (3 KB appended and fsynced in a loop for {Settings.EndToEndDuration.TotalSeconds:F0} s in the stack's data folder, the stack idle, before the warm-up)",
            $"{Ms(disk.P50)} / {Ms(disk.P99)} / {Ms(disk.P999)} / {Ms(disk.Max)}; {disk.Stalls:N0} of {disk.Count:N0} took {Ms(DiskFsyncProbe.StallThreshold)} or more", "", "", "");
        var cpu = endToEnd.Cpu;
        yield return new ReportRow(
            "End to end: CPU a delivery from the window's deliveries going to wrk until the worker had acknowledged all of them (Linux's count per process; the rest of the machine's busy time is wrk, the benchmark's OTLP receiver and the kernel's threads), and the machine's busy cores over that time",
            sent.Acknowledged == 0
                ? "none acknowledged"
                : string.Create(
                    CultureInfo.InvariantCulture,
                    $"webhookapi {Microseconds(cpu.Api / sent.Acknowledged)}, worker {Microseconds(cpu.Worker / sent.Acknowledged)}, "
                    + $"PostgreSQL {Microseconds(cpu.Postgres / sent.Acknowledged)}, Redis {Microseconds(cpu.Redis / sent.Acknowledged)}, "
                    + $"the rest {Microseconds(cpu.Rest / sent.Acknowledged)}; {cpu.BusyCores:F2} of the machine's {cpu.Cores} cores busy over {cpu.Elapsed.TotalSeconds:F1} s"),
            "", "", "");
        var latency = endToEnd.Latency;
        yield return new ReportRow(
            $"End to end: stored_at − received_at p50 / p99 (the start of each event's batch, as the rows record it; {latency.Batches:N0} batches)",
            $"{Ms(latency.StampP50)} / {Ms(latency.StampP99)}", "", "", "");
        var commit = endToEnd.ReceiptToCommit;
        var withinTarget = commit.ShareAtOrBelow(StoreLatencyTarget.TotalMilliseconds);
        var shownBounds = commit.Bounds.Where(bound => bound is >= 10 and <= 100).ToArray();
        yield return new ReportRow(
            $"End to end: receipt → commit (the worker's {OtlpSink.ReceiptToCommit} histogram over the window): the share within "
            + $"{string.Join(" / ", shownBounds.Select(Bound))} ms; the buckets that hold p50 and p99",
            (commit.Count == 0
                ? "none measured; "
                : $"{string.Join(" / ", shownBounds.Select(bound => Percent(commit.ShareAtOrBelow(bound))))}; "
                + $"p50 {Bucket(commit.QuantileBucket(0.50))}, p99 {Bucket(commit.QuantileBucket(0.99))}; ")
            + string.Create(CultureInfo.InvariantCulture, $"{commit.Count:N0} events measured of {sent.Acknowledged:N0} acknowledged"),
            "",
            $"p99 ≤ {Ms(StoreLatencyTarget)} (≥ 99% within it)",
            ReportRow.Verdict(commit.Count > 0 && withinTarget >= 0.99 && commit.Count == (ulong)sent.Acknowledged));
    }

    private static string Bucket((double? Above, double? AtMost) bucket) => bucket switch
    {
        (null, { } atMost) => $"≤ {Bound(atMost)} ms",
        ({ } above, null) => $"> {Bound(above)} ms",
        ({ } above, { } atMost) => $"in ({Bound(above)}, {Bound(atMost)}] ms",
        _ => "in the only bucket",
    };

    private static string Bound(double milliseconds) => milliseconds.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Percent(double share) => string.Create(CultureInfo.InvariantCulture, $"{share * 100:0.00}%");

    private IEnumerable<ReportRow> MemoryRows()
    {
        yield return MemoryRow("webhookapi", ApiMemory);
        foreach (var round in Drain?.Rounds ?? [])
        {
            var peak = round.WorkerMemory.Max(memory => memory.PeakBytes);
            yield return new ReportRow(
                $"Peak RSS (VmHWM) per worker process at the end of the drain with {Workers(round.Workers)}",
                string.Join(" / ", round.WorkerMemory.Select(memory => Megabytes(memory.PeakBytes))), "",
                $"≤ {MemoryTargetBytes / 1_000_000} MB each", ReportRow.Verdict(peak <= MemoryTargetBytes));
        }

        if (WorkerMemory is not null)
        {
            yield return MemoryRow("worker", WorkerMemory);
        }
    }

    public string Render()
    {
        var text = new StringBuilder();
        text.AppendLine("# PhonicAspire benchmarks").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine}").AppendLine();
        text.AppendLine("| benchmark | PhonicAspire | baseline or peer | ratio/target | met? |");
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
        yield return $"Services run the {ServicesConfiguration} build (the `-c` of the `dotnet run` launcher DCP started) in the {ServicesEnvironment} environment (read from the API's process).";
        foreach (var note in Ingest is null ? [] : IngestNotes(Ingest))
        {
            yield return note;
        }

        if (Drain is not null)
        {
            yield return "Each drain round fills the stream while no worker runs, starts that many worker replicas afresh while the "
                + "consumer group's read position is held at the end of the stream, and releases the backlog once each one's own "
                + "/health says it is ready, so that a worker starting sooner does not drain part of it alone. Progress is read from the consumer group every "
                + "50 ms (entries read, less those still pending: a worker acknowledges a batch once its transaction has committed), "
                + "not by counting rows, which would scan webhook_events on the cores being measured; the rows are counted once, "
                + "after the round. The rate runs from the first poll that sees entries acknowledged to the first that sees all; "
                + "the release until the first acknowledgement took "
                + string.Join(", ", Drain.Rounds.Select(round => $"{Ms(round.FirstAcknowledgedAfter)} ({Workers(round.Workers)})"))
                + " and is not in the rate.";
            yield return "webhook_events is keyed by svix id, so an entry stored twice would add no row; what shows it is an entry "
                + "still pending or in the stream after the round (it would be claimed and stored again), one dead-lettered, or rows "
                + "the round did not send. Another consumer can take over an entry only once it has been pending for the worker's "
                + "Worker:ClaimIdleTime (30 s by default), longer than a round that settles within the seconds shown.";
        }

        if (EndToEnd is not null)
        {
            yield return "stored_at is stamped when the worker begins a batch's transaction, before COPY, merge and commit. Receipt → "
                + "commit is what the worker records for each event right after its commit (from the received_at the API stamped, "
                + "on the same clock), read from its OTLP metric exports just before and just after the window: exact counts in "
                + $"the histogram's buckets (bounds {string.Join(", ", EndToEnd.ReceiptToCommit.Bounds.Select(Bound))} ms), "
                + "so a percentile is known to lie within one bucket.";
            yield return $"The end-to-end window follows a warm-up at the same rate ({Settings.EndToEndRate * Settings.EndToEndWarmUp.TotalSeconds:N0} "
                + $"deliveries over {Settings.EndToEndWarmUp.TotalSeconds:F0} s, every one stored before the window starts) and "
                + "measures only the window's deliveries: the steady state, not the services compiling their paths.";
            yield return "The end-to-end deliveries are sent by wrk with a Lua script (PhonicAspire.Benchmarks/Load/paced-deliveries.lua) "
                + "that sends each on its due time whatever the answers, a different conversation each, up to 256 in flight; it "
                + "costs the cores about 0.2 of a core at 3,000/s, where the .NET open-loop client it replaced took 0.44.";
            yield return Drain is null
                ? "End to end only (--only end-to-end): no ingest, no drain; one worker, started for it."
                : "Peak RSS is VmHWM of the service process. Every drain round starts its workers afresh; the last "
                    + "worker row is the first replica of the last round, which then ran end to end alone.";
        }
        else
        {
            yield return Ingest is null
                ? "Drain only (--only drain): no ingest, no end to end, and the API's peak RSS covers its start-up alone."
                : "Ingest only (--only ingest): no drain, no end to end, and the API's peak RSS covers ingest alone.";
        }
    }

    private static IEnumerable<string> IngestNotes(IngestResult ingest)
    {
        yield return $"Ingest hits the API's non-proxied endpoint {ingest.ApiAddress} (Kestrel directly, no DCP proxy); "
            + "the baseline is a separate server process on loopback. The workers are stopped during ingest so that they do not "
            + "compete for the CPUs; the ingested entries are then trimmed from the stream, never stored.";
        yield return "The peers are the webhook handler on Phonic's documentation page (conversation.ended) written out as a Node "
            + "program (PhonicAspire.Benchmarks/Peers/docs-handler: hono, @hono/node-server, svix 1.x, whose verify returns the "
            + "parsed payload; versions in its package-lock.json, installed by scripts/bench with npm ci), one Node process on "
            + "loopback answering 200 once verified; the durable one also XADDs the svix id and body to a Redis stream before its "
            + "200. Every HTTP server gets the same generator (wrk, 2 threads, with a Lua script that sets each request's svix "
            + "headers from a file of pre-signed deliveries), connections, warm-up and window, and the same pre-signed deliveries. "
            + "The Node peer's one log line per delivery goes to /dev/null, the cheapest place it could.";
        yield return "The services export traces, metrics and logs over OTLP/HTTP (protobuf) with the AppHost's exporter settings to a "
            + "receiver in the benchmark process that counts the spans it gets (a deployment's collector runs elsewhere; this one "
            + $"shares the 2 cores): {ingest.ApiSpans:N0} spans arrived during the API's warm-up and run, for "
            + $"{ingest.Api.Latency.Count:N0} deliveries acknowledged inside its window.";
        var durable = ingest.DurableDocsHandler;
        yield return "The durable peer and each Redis ceiling get a redis-server of their own (the stack's binary and settings: "
            + "appendonly yes, appendfsync always, noeviction, auto-aof-rewrite-min-size 512mb, no snapshots; a fresh throw-away folder each), so that their entries neither grow "
            + $"the stack's AOF nor reach its stream. The durable peer's stream held {durable.StreamLength:N0} entries afterwards "
            + $"(warm-up included) for {durable.Load.Latency.Count:N0} acknowledgements in the window.";
        yield return $"Each Redis ceiling is redis-benchmark sending {ingest.RedisCeilings.Requests:N0} appends of the entry the API "
            + "writes for the sample body (its fields, a traceparent, the 2.6 KB body) with fresh random svix ids (-r): once as "
            + "EVALSHA of the API's own enqueue script (duplicate check, XADD, SET EX), once as a plain XADD of the same fields; "
            + "the stream length afterwards confirms the appends. redis-benchmark runs on the same 2 cores as Redis.";
        var unexpected = new[] { ingest.Api, ingest.Baseline, ingest.DocsHandler, durable.Load }.Sum(result => result.Unexpected);
        if (unexpected > 0)
        {
            yield return $"Ingest answers other than expected inside the window: API {ingest.Api.Unexpected}, baseline {ingest.Baseline.Unexpected}, "
                + $"docs handler {ingest.DocsHandler.Unexpected}, durable docs handler {durable.Load.Unexpected}.";
        }

        if (ingest.Api.PoolExhausted)
        {
            yield return "The API ran out of pre-signed deliveries before the ingest window ended: its rate is a lower bound.";
        }
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

    private static string Ratio(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}");

    private static string Workers(int count) => count == 1 ? "1 worker" : $"{count} workers";

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:F0} MB");

    private static string Rate(double perSecond) => string.Create(CultureInfo.InvariantCulture, $"{perSecond:N0}/s");

    private static string Microseconds(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMicroseconds:F0} µs");

    private static string Ms(TimeSpan duration) => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:F1} ms");
}
