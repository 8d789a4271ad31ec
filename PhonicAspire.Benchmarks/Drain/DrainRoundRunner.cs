using PhonicAspire.Benchmarks.Memory;
using PhonicAspire.Benchmarks.Stack;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Benchmarks.Drain;

/// <summary>
/// One drain round with a given number of workers: the entries are put in the stream while no worker runs and held
/// back from the consumer group while that many workers start; once each says it is ready, the backlog is released
/// to them and followed until the consumer group has acknowledged all of it (a worker acknowledges an entry once its
/// transaction has committed); <see cref="StoredOnceCheck"/> then counts the rows. The rate runs from the first poll
/// that sees entries acknowledged to the first that sees them all, so start-up is left out; holding the backlog back
/// keeps a worker that starts sooner than the others from draining part of it alone.
/// </summary>
public sealed class DrainRoundRunner(
    PhonicStack stack,
    DrainWorkers workers,
    WorkerConsumerGroup group,
    StoredOnceCheck check,
    BenchmarkSettings settings,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Expects no worker running and the stream empty; stops the round's workers, all or all but the first.</summary>
    public async Task<DrainRound> RunAsync(IReadOnlyList<byte[]> bodies, int workerCount, bool keepFirstRunning, CancellationToken cancellationToken)
    {
        var redis = stack.Redis.GetDatabase();
        if (await redis.StreamLengthAsync(WebhookStream.Name) > 0)
        {
            throw new InvalidOperationException("A drain round must start from an empty stream, with exactly its own entries.");
        }

        var before = await check.BeforeAsync(cancellationToken);
        var backlog = await new StreamFiller(redis, timeProvider).FillAsync(bodies, cancellationToken);
        var releaseFrom = await group.HoldAsync();
        var instances = await workers.StartAsync(workerCount, cancellationToken);

        var workerCpu = ProcessGroupCpu.Start(() => instances.Select(instance => stack.Processes.ServiceOf(instance, PhonicStack.WorkerAssembly)));
        var postgresCpu = ProcessGroupCpu.Start(stack.Processes.PostgresProcesses);
        await group.ReleaseAsync(releaseFrom);
        var released = timeProvider.GetTimestamp();
        var (firstSeen, firstCount, allSeen) = await PollUntilAcknowledgedAsync(backlog, released, cancellationToken);
        var cpuPerEvent = new DrainCpu(workerCpu.Spent() / bodies.Count, postgresCpu.Spent() / bodies.Count);
        var storedOnce = await check.AfterAsync(before, backlog.SvixIds, cancellationToken);
        var settled = timeProvider.GetElapsedTime(released);
        var memory = new PeakMemory(stack.Processes);
        ServiceMemory[] peaks = [.. instances.Select(instance => memory.Read(instance, PhonicStack.WorkerAssembly))];

        await workers.StopAsync(keepFirstRunning ? instances.Skip(1) : instances, cancellationToken);
        return new DrainRound(workerCount, (bodies.Count - firstCount) / (allSeen - firstSeen).TotalSeconds, firstSeen, settled, storedOnce, peaks, cpuPerEvent);
    }

    private async Task<(TimeSpan FirstSeen, long FirstCount, TimeSpan AllSeen)> PollUntilAcknowledgedAsync(
        Backlog backlog, long started, CancellationToken cancellationToken)
    {
        var expected = backlog.EntryIds.Length;
        TimeSpan? firstSeen = null;
        long firstCount = 0;
        while (timeProvider.GetElapsedTime(started) < settings.DrainLimit)
        {
            var stored = await group.AcknowledgedAsync(backlog);
            var at = timeProvider.GetElapsedTime(started);
            if (stored > 0 && firstSeen is null)
            {
                (firstSeen, firstCount) = (at, stored);
            }

            if (stored >= expected)
            {
                return firstCount < expected
                    ? (firstSeen!.Value, firstCount, at)
                    : throw new InvalidOperationException("All events appeared between two polls: too few to measure a rate.");
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken);
        }

        throw new TimeoutException($"{expected} events were not stored and acknowledged within {settings.DrainLimit}.");
    }
}

/// <param name="FirstAcknowledgedAfter">From the backlog's release to the first acknowledged entry: not in the rate.</param>
/// <param name="SettledAfter">From the backlog's release to the end of the check: the longest any entry can have been pending.</param>
/// <param name="WorkerMemory">Each worker process's peak resident set at the end of the round.</param>
/// <param name="CpuPerEvent">From the backlog's release until all of it was acknowledged, per entry.</param>
public sealed record DrainRound(
    int Workers,
    double PerSecond,
    TimeSpan FirstAcknowledgedAfter,
    TimeSpan SettledAfter,
    StoredOnce StoredOnce,
    IReadOnlyList<ServiceMemory> WorkerMemory,
    DrainCpu CpuPerEvent);

/// <param name="Workers">The round's worker processes together.</param>
/// <param name="Postgres">Every PostgreSQL process: the backends that run the statements, the WAL writer, the checkpointer.</param>
public sealed record DrainCpu(TimeSpan Workers, TimeSpan Postgres);
