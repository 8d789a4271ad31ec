using Npgsql;
using PhonicAspire.Benchmarks.Payloads;
using PhonicAspire.Benchmarks.Stack;

namespace PhonicAspire.Benchmarks.Drain;

/// <summary>
/// How fast the worker stores a backlog: entries are put in the stream while the worker is stopped, then it is
/// started and <c>webhook_events</c> is counted until all of them are there. The rate runs from the first poll that
/// sees rows to the first that sees them all, so the worker's start-up is left out. Expects the worker stopped.
/// </summary>
public sealed class DrainBenchmark(PhonicStack stack, SamplePayload payload, BenchmarkSettings settings, TimeProvider timeProvider)
{
    // count(*) scans the table; polling faster would take CPU from the worker being measured on a small machine.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public async Task<DrainResult> RunAsync(CancellationToken cancellationToken)
    {
        var bodies = Enumerable.Range(0, settings.DrainEvents).Select(_ => payload.ForNewConversation()).ToArray();
        await using var database = NpgsqlDataSource.Create(stack.DatabaseConnectionString);
        var counter = new StoredRowCounter(database);

        var before = await counter.CountAllAsync(cancellationToken);
        await new StreamFiller(stack.Redis.GetDatabase(), timeProvider).FillAsync(bodies, cancellationToken);

        var started = timeProvider.GetTimestamp();
        await stack.StartAsync(PhonicStack.Worker, cancellationToken);
        var (firstSeen, firstCount, allSeen) = await PollUntilStoredAsync(counter, before, started, cancellationToken);

        var worker = (settings.DrainEvents - firstCount) / (allSeen - firstSeen).TotalSeconds;
        var rawCopy = await new RawCopyBaseline(database, timeProvider).RunAsync(bodies, cancellationToken);
        return new DrainResult(worker, rawCopy, firstSeen);
    }

    private async Task<(TimeSpan FirstSeen, long FirstCount, TimeSpan AllSeen)> PollUntilStoredAsync(
        StoredRowCounter counter, long before, long started, CancellationToken cancellationToken)
    {
        TimeSpan? firstSeen = null;
        long firstCount = 0;
        while (timeProvider.GetElapsedTime(started) < settings.DrainLimit)
        {
            var stored = await counter.CountAllAsync(cancellationToken) - before;
            var at = timeProvider.GetElapsedTime(started);
            if (stored > 0 && firstSeen is null)
            {
                (firstSeen, firstCount) = (at, stored);
            }

            if (stored >= settings.DrainEvents)
            {
                return firstCount < settings.DrainEvents
                    ? (firstSeen!.Value, firstCount, at)
                    : throw new InvalidOperationException("All events appeared between two polls: too few to measure a rate.");
            }

            await Task.Delay(PollInterval, timeProvider, cancellationToken);
        }

        throw new TimeoutException($"The worker did not store {settings.DrainEvents} events within {settings.DrainLimit}.");
    }
}

/// <param name="FirstRowAfter">From the start command to the first stored row: the worker's start-up, not in the rate.</param>
public sealed record DrainResult(double WorkerPerSecond, double RawCopyPerSecond, TimeSpan FirstRowAfter);
