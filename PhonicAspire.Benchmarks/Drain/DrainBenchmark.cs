using Npgsql;
using PhonicAspire.Benchmarks.Payloads;
using PhonicAspire.Benchmarks.Stack;

namespace PhonicAspire.Benchmarks.Drain;

/// <summary>
/// How fast the worker stores a backlog with one, two, … replicas, a round each (see <see cref="DrainRoundRunner"/>),
/// then the raw COPY baseline. Expects every worker stopped and the stream empty; leaves the first worker running.
/// </summary>
public sealed class DrainBenchmark(PhonicStack stack, SamplePayload payload, BenchmarkSettings settings, TimeProvider timeProvider)
{
    public async Task<DrainResult> RunAsync(CancellationToken cancellationToken)
    {
        await using var database = NpgsqlDataSource.Create(stack.DatabaseConnectionString);
        var redis = stack.Redis.GetDatabase();
        var counter = new StoredRowCounter(database);
        var group = new WorkerConsumerGroup(redis);
        var runner = new DrainRoundRunner(
            stack,
            new DrainWorkers(stack, timeProvider),
            group,
            new StoredOnceCheck(counter, group, redis, timeProvider),
            settings,
            timeProvider);

        var rounds = new List<DrainRound>();
        for (var workers = 1; workers <= settings.DrainWorkers; workers++)
        {
            // The next round starts its workers afresh; after the last, one stays for end to end.
            rounds.Add(await runner.RunAsync(NewBodies(), workers, keepFirstRunning: workers == settings.DrainWorkers, cancellationToken));
        }

        var rawCopy = await new RawCopyBaseline(database, stack.Processes, timeProvider).RunAsync(NewBodies(), cancellationToken);
        return new DrainResult(rounds, rawCopy);
    }

    private byte[][] NewBodies() => [.. Enumerable.Range(0, settings.DrainEvents).Select(_ => payload.ForNewConversation())];
}

/// <param name="Rounds">One per number of workers, from one up.</param>
public sealed record DrainResult(IReadOnlyList<DrainRound> Rounds, RawCopyResult RawCopy)
{
    public DrainRound SingleWorker => Rounds[0];
}
