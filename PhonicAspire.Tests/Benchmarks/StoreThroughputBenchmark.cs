using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Tests.Storage;
using PhonicAspire.Worker.Persistence;
using PhonicAspire.Worker.Phonic;
using Xunit.Abstractions;
using static PhonicAspire.Tests.Infrastructure.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Benchmarks;

/// <summary>
/// Compares <see cref="WebhookEventStore"/> with the floor it cannot beat, a raw binary COPY of the same bodies
/// into a one-column jsonb table on the same PostgreSQL. Reports only; asserts nothing about speed. Run it on a
/// Release build (a Debug build disables the JIT's optimizations):
/// <c>PHONIC_BENCHMARKS=1 dotnet test PhonicAspire.Tests -c Release --filter "FullyQualifiedName~StoreThroughputBenchmark" --logger "console;verbosity=detailed"</c>
/// </summary>
[Collection(StackCollection.Name)]
[Trait("Category", "Benchmark")]
public sealed class StoreThroughputBenchmark(PhonicStackFixture stack, ITestOutputHelper output)
{
    private const int EventCount = 20_000;
    private const int BatchSize = 500;
    private const int WarmUpCount = 5_000;
    private const string RawTable = "benchmark_raw_bodies";

    [BenchmarkFact]
    public async Task Store_versus_raw_copy_of_conversation_ended()
    {
        await using var harness = await StorageHarness.StartAsync(stack);
        await using var dataSource = NpgsqlDataSource.Create((await stack.App.GetConnectionStringAsync("phonicdb"))!);
        await RecreateRawTableAsync(dataSource);

        // Enough rounds for the JIT to settle on optimized code before anything is timed.
        Parse(Bodies(EventCount));
        await StoreAsync(harness, Bodies(WarmUpCount));
        await CopyRawAsync(dataSource, Bodies(WarmUpCount), BatchSize);

        var (parsed, copiedOnce, copiedInBatches, stored) = (Bodies(EventCount), Bodies(EventCount), Bodies(EventCount), Bodies(EventCount));
        var parseRate = Measure(() => Parse(parsed), "parse");
        var rawSingle = await MeasureAsync(() => CopyRawAsync(dataSource, copiedOnce, EventCount), "raw COPY, one transaction");
        var rawBatched = await MeasureAsync(() => CopyRawAsync(dataSource, copiedInBatches, BatchSize), $"raw COPY, batches of {BatchSize}");
        var store = await MeasureAsync(() => StoreAsync(harness, stored), $"StoreBatchAsync, batches of {BatchSize}");

        output.WriteLine($"parse: {1_000_000.0 / parseRate:F1} µs/event");
        output.WriteLine($"store / raw COPY (one transaction): {store / rawSingle:P0}; store / raw COPY (batched): {store / rawBatched:P0}");
    }

    // Fresh conversation ids every time, as a live stream would have; generated before any timing starts.
    private static List<byte[]> Bodies(int count) =>
        [.. Enumerable.Range(0, count).Select(_ => Sample(Ended, NewConversationId()))];

    private static void Parse(List<byte[]> bodies)
    {
        foreach (var body in bodies)
        {
            PhonicEventParser.Parse(body, PhonicEventTypes.ConversationEnded);
        }
    }

    private static async Task StoreAsync(StorageHarness harness, List<byte[]> bodies)
    {
        foreach (var batch in bodies.Chunk(BatchSize))
        {
            await harness.StoreAsync([.. batch.Select(body => Delivery(body, PhonicEventTypes.ConversationEnded))]);
        }
    }

    private static async Task RecreateRawTableAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand($"DROP TABLE IF EXISTS {RawTable}; CREATE TABLE {RawTable} (body jsonb NOT NULL)");
        await command.ExecuteNonQueryAsync();
    }

    private static async Task CopyRawAsync(NpgsqlDataSource dataSource, List<byte[]> bodies, int batchSize)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        foreach (var batch in bodies.Chunk(batchSize))
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var importer = await connection.BeginBinaryImportAsync($"COPY {RawTable} (body) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var body in batch)
                {
                    await importer.StartRowAsync();
                    await importer.WriteAsync(new ReadOnlyMemory<byte>(body), NpgsqlDbType.Jsonb);
                }

                await importer.CompleteAsync();
            }

            await transaction.CommitAsync();
        }
    }

    private async Task<double> MeasureAsync(Func<Task> run, string name)
    {
        var started = Stopwatch.GetTimestamp();
        await run();
        return Report(name, Stopwatch.GetElapsedTime(started));
    }

    private double Measure(Action run, string name)
    {
        var started = Stopwatch.GetTimestamp();
        run();
        return Report(name, Stopwatch.GetElapsedTime(started));
    }

    private double Report(string name, TimeSpan elapsed)
    {
        var rate = EventCount / elapsed.TotalSeconds;
        output.WriteLine($"{name}: {EventCount:N0} events in {elapsed.TotalSeconds:F2} s = {rate:N0} events/s");
        return rate;
    }
}
