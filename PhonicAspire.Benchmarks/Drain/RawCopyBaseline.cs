using System.Text;
using Npgsql;
using NpgsqlTypes;
using PhonicAspire.Benchmarks.Stack;

namespace PhonicAspire.Benchmarks.Drain;

/// <summary>
/// The drain baseline: the fastest this PostgreSQL takes the same bodies, one binary COPY into a single jsonb
/// column of an ordinary (logged) table, with no parsing, no index, no merge and no Redis.
/// </summary>
public sealed class RawCopyBaseline(NpgsqlDataSource database, ServiceProcesses processes, TimeProvider timeProvider)
{
    private const string Table = "bench_raw_copy";

    public async Task<RawCopyResult> RunAsync(IReadOnlyList<byte[]> bodies, CancellationToken cancellationToken)
    {
        var json = bodies.Select(body => Encoding.UTF8.GetString(body)).ToArray();
        await ExecuteAsync($"DROP TABLE IF EXISTS {Table}; CREATE TABLE {Table} (body jsonb NOT NULL)", cancellationToken);
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            var postgresCpu = ProcessGroupCpu.Start(processes.PostgresProcesses);
            var started = timeProvider.GetTimestamp();
            await using (var importer = await connection.BeginBinaryImportAsync($"COPY {Table} (body) FROM STDIN (FORMAT BINARY)", cancellationToken))
            {
                foreach (var body in json)
                {
                    await importer.StartRowAsync(cancellationToken);
                    await importer.WriteAsync(body, NpgsqlDbType.Jsonb, cancellationToken);
                }

                await importer.CompleteAsync(cancellationToken);
            }

            return new RawCopyResult(json.Length / timeProvider.GetElapsedTime(started).TotalSeconds, postgresCpu.Spent() / json.Length);
        }
        finally
        {
            await ExecuteAsync($"DROP TABLE {Table}", CancellationToken.None);
        }
    }

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <param name="PostgresCpuPerRow">Every PostgreSQL process's CPU time over the COPY and its commit, per row.</param>
public sealed record RawCopyResult(double PerSecond, TimeSpan PostgresCpuPerRow);
