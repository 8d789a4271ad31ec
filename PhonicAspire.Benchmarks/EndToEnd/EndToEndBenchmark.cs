using Npgsql;
using PhonicAspire.Benchmarks.Drain;
using PhonicAspire.Benchmarks.Load;
using PhonicAspire.Benchmarks.Payloads;
using PhonicAspire.Benchmarks.Stack;
using PhonicAspire.Testing;
using PhonicAspire.Testing.Otlp;

namespace PhonicAspire.Benchmarks.EndToEnd;

/// <summary>
/// A steady, open-loop stream of deliveries through the API while the worker drains, then how long each took from
/// the API's receipt to the commit of its row, as the worker's own histogram counted it over the window, and to the
/// start of its batch, as the rows record it. Expects one worker running.
/// </summary>
public sealed class EndToEndBenchmark(PhonicStack stack, SamplePayload payload, BenchmarkSettings settings, TimeProvider timeProvider)
{
    // Open loop needs room for bursts of slow answers, not just the few requests a steady rate keeps in flight: at
    // 3,000/s, 256 connections absorb a stall of about 85 ms before the schedule slips.
    private const int Connections = 256;
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    // The AppHost has the services export their metrics every second; a few missed exports are still no failure.
    private static readonly TimeSpan MetricExportLimit = TimeSpan.FromSeconds(15);

    public async Task<EndToEndResult> RunAsync(CancellationToken cancellationToken)
    {
        var disk = await new DiskFsyncProbe(stack.DataDirectory, timeProvider).RunAsync(settings.EndToEndDuration, cancellationToken);
        var consumerGroup = new WorkerConsumerGroup(stack.Redis.GetDatabase());
        await SendAsync(Deliveries(settings.EndToEndWarmUp), cancellationToken);
        await WaitUntilAcknowledgedAsync(consumerGroup, cancellationToken);

        var beforeWindow = await ReceiptToCommitSoFarAsync(cancellationToken);

        var measured = Deliveries(settings.EndToEndDuration);
        await using var database = NpgsqlDataSource.Create(stack.DatabaseConnectionString);
        var stallMonitor = new RedisStallMonitor(stack.Redis);
        await stallMonitor.StartAsync();
        await using var autovacuumMonitor = new AutovacuumMonitor(database, timeProvider);
        autovacuumMonitor.Start();
        var cpu = WindowCpuRecorder.Start(stack, timeProvider);
        var sending = SendAsync(measured, cancellationToken);
        var windowCpu = await CpuUntilStoredAsync(cpu, consumerGroup, cancellationToken);
        var autovacuum = await autovacuumMonitor.StopAsync();
        var sent = await sending;
        var redisStalls = await stallMonitor.StopAsync();

        await WaitUntilAcknowledgedAsync(consumerGroup, cancellationToken);
        var receiptToCommit = CollectedHistogramPoint.GrowthBetween(beforeWindow, await ReceiptToCommitSoFarAsync(cancellationToken), PhonicStack.Worker);
        // wrk counts the answers, not which delivery each was for; with every delivery acknowledged the two checks are the same.
        var svixIds = measured.Select(delivery => delivery.Delivery.SvixId).ToArray();
        var stored = await new StoredRowCounter(database).CountAsync(svixIds, cancellationToken);
        if (stored < sent.Acknowledged)
        {
            throw new InvalidOperationException(
                $"The workers acknowledged every entry, yet {stored:N0} of the {sent.Acknowledged:N0} accepted deliveries are in webhook_events.");
        }

        var latency = await new StoreLatencyQuery(database).RunAsync(svixIds, cancellationToken);
        return new EndToEndResult(sent, latency, receiptToCommit, redisStalls, autovacuum, disk, windowCpu);
    }

    /// <summary>
    /// Stops <paramref name="cpu"/> once the schedule has passed and the worker has acknowledged every appended entry:
    /// wrk runs on for late answers, and counting its idle tail would show cores free that were not.
    /// </summary>
    private async Task<WindowCpu> CpuUntilStoredAsync(WindowCpuRecorder cpu, WorkerConsumerGroup group, CancellationToken cancellationToken)
    {
        await Task.Delay(settings.EndToEndDuration, timeProvider, cancellationToken);
        await WaitUntilAcknowledgedAsync(group, cancellationToken);
        return cpu.Stop();
    }

    /// <summary>
    /// The worker's receipt-to-commit histogram as it stands now: it records each event right after its commit and
    /// before its acknowledgement, so once every entry is acknowledged, the next export holds them all.
    /// </summary>
    private Task<IReadOnlyList<CollectedHistogramPoint>> ReceiptToCommitSoFarAsync(CancellationToken cancellationToken) =>
        stack.Telemetry.ReceiptToCommitAfterAsync(PhonicStack.Worker, timeProvider.GetUtcNow(), MetricExportLimit, timeProvider, cancellationToken);

    /// <summary>Deliveries for the given time at the benchmark's rate, each a conversation of its own.</summary>
    private (SignedWebhook Delivery, string ConversationId)[] Deliveries(TimeSpan sendingTime)
    {
        var conversations = Enumerable.Range(0, (int)(settings.EndToEndRate * sendingTime.TotalSeconds))
            .Select(_ => SamplePayloads.NewConversationId()).ToArray();
        var signed = new DeliverySigner(stack.WebhookSecret, timeProvider).Sign(conversations.Length, index => payload.ForConversation(conversations[index]));
        return [.. signed.Zip(conversations)];
    }

    private Task<OpenLoopResult> SendAsync((SignedWebhook Delivery, string ConversationId)[] deliveries, CancellationToken cancellationToken) =>
        new PacedWrkLoad(Connections).RunAsync(stack.ApiAddress, deliveries, payload.ForConversation, settings.EndToEndRate, cancellationToken);

    // Polled on the consumer group rather than by counting the accepted svix ids in webhook_events: that count of
    // 60,000 ids took PostgreSQL 0.36-0.5 s a poll, nearly a core taken from the worker storing the last deliveries,
    // whose latencies are the p99 measured.
    private async Task WaitUntilAcknowledgedAsync(WorkerConsumerGroup group, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        while (!await group.HasAcknowledgedAllAppendedAsync())
        {
            if (timeProvider.GetElapsedTime(started) > settings.EndToEndStoreLimit)
            {
                throw new TimeoutException($"The workers had not acknowledged every accepted delivery within {settings.EndToEndStoreLimit}.");
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken);
        }
    }
}

/// <param name="RedisStalls">What Redis took 10 ms or more for while the deliveries were being sent.</param>
/// <param name="Autovacuum">What PostgreSQL's autovacuum workers were seen doing while the deliveries were being sent and stored.</param>
/// <param name="Disk">The disk's own fsync latency, measured before the warm-up with the stack idle.</param>
/// <param name="ReceiptToCommit">The worker's own receipt-to-commit times of the window's events, in its histogram's buckets.</param>
/// <param name="Cpu">From the window's deliveries going to wrk until the worker had acknowledged all of them.</param>
public sealed record EndToEndResult(
    OpenLoopResult Sent,
    StoreLatency Latency,
    HistogramCounts ReceiptToCommit,
    RedisStalls RedisStalls,
    AutovacuumActivity Autovacuum,
    DiskFsyncLatency Disk,
    WindowCpu Cpu);
