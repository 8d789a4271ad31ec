using PhonicAspire.Benchmarks.Drain;
using PhonicAspire.Benchmarks.EndToEnd;
using PhonicAspire.Benchmarks.Ingest;
using PhonicAspire.Benchmarks.Memory;
using PhonicAspire.Benchmarks.Payloads;
using PhonicAspire.Benchmarks.Reporting;
using PhonicAspire.Benchmarks.Stack;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Benchmarks;

/// <summary>
/// Starts the stack once and runs every benchmark against it in an order that leaves each one the state it needs:
/// ingest with the workers stopped, the drain of backlogs built while they are still stopped, with each number of
/// workers from one up, then end to end with one running; memory is read last, so the peaks cover everything.
/// <see cref="BenchmarkScope"/> can narrow it to ingest or to the drain.
/// </summary>
public sealed class BenchmarkRun(BenchmarkSettings settings, BenchmarkScope scope, TimeProvider timeProvider)
{
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var machine = MachineDescription.Describe();
        var payload = SamplePayload.Load();

        Progress($"starting the stack (local Redis and PostgreSQL, API, {settings.DrainWorkers} worker replicas)");
        await using var stack = await PhonicStack.StartAsync(settings.DrainWorkers, cancellationToken);
        var configuration = stack.Processes.ConfigurationOf(PhonicStack.Api);
        var environment = stack.Processes.EnvironmentOf(PhonicStack.Api, PhonicStack.ApiAssembly);
        Progress($"all resources healthy; services run the {configuration} build in {environment}; API at {stack.ApiAddress}");

        foreach (var worker in stack.WorkerInstances)
        {
            await stack.KillAsync(worker, PhonicStack.WorkerAssembly, cancellationToken);
        }

        IngestResult? ingest = null;
        if (scope is BenchmarkScope.Everything or BenchmarkScope.Ingest)
        {
            Progress("ingest: baseline server, the API (workers stopped), the docs handler peers (Node), the Redis ceilings (redis-benchmark)");
            ingest = await new IngestBenchmark(stack, payload, settings, timeProvider).RunAsync(cancellationToken);
        }

        var memory = new PeakMemory(stack.Processes);
        DrainResult? drain = null;
        EndToEndResult? endToEnd = null;
        ServiceMemory? workerMemory = null;
        if (scope is BenchmarkScope.Everything or BenchmarkScope.Drain)
        {
            // Ingest leaves a large backlog; the drain must start from an empty stream with exactly its own entries.
            await stack.Redis.GetDatabase().StreamTrimAsync(WebhookStream.Name, maxLength: 0);

            Progress($"drain: {settings.DrainEvents:N0} entries with each of 1 to {settings.DrainWorkers} workers, then the raw COPY baseline");
            drain = await new DrainBenchmark(stack, payload, settings, timeProvider).RunAsync(cancellationToken);
        }

        if (scope == BenchmarkScope.EndToEnd)
        {
            await new DrainWorkers(stack, timeProvider).StartAsync(1, cancellationToken);
        }

        if (scope is BenchmarkScope.Everything or BenchmarkScope.EndToEnd)
        {
            Progress($"end to end: {settings.EndToEndRate:N0} deliveries/s for {settings.EndToEndWarmUp.TotalSeconds:F0} s of warm-up, then {settings.EndToEndDuration.TotalSeconds:F0} s measured");
            endToEnd = await new EndToEndBenchmark(stack, payload, settings, timeProvider).RunAsync(cancellationToken);
        }

        if (drain is not null || endToEnd is not null)
        {
            // The drain leaves the first replica running, the one end to end ran with.
            workerMemory = memory.Read(stack.WorkerInstances[0], PhonicStack.WorkerAssembly);
        }

        var report = new MarkdownReport(
            machine,
            configuration,
            environment,
            ingest,
            drain,
            endToEnd,
            memory.Read(PhonicStack.Api, PhonicStack.ApiAssembly),
            workerMemory,
            settings).Render();

        Console.WriteLine();
        Console.WriteLine(report);
        var written = await ReportFile.WriteAsync(report, cancellationToken);
        Progress($"written to {written}; stopping the stack");
        return 0;
    }

    private void Progress(string message) =>
        Console.Error.WriteLine($"[bench {timeProvider.GetUtcNow():HH:mm:ss}] {message}");
}
