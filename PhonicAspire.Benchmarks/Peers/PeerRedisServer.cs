using System.Diagnostics;
using System.Globalization;
using PhonicAspire.AppHost.Infrastructure;
using PhonicAspire.Testing;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.Peers;

/// <summary>
/// A redis-server of the peers' own, the machine's same binary with the settings the AppHost gives the stack's
/// (AOF, fsync before every reply, no eviction, no AOF rewrite below 512 MB, no snapshots), on a throw-away folder
/// beside the stack's. Not the stack's Redis: the peers' and the ceilings' entries would then grow its AOF and memory
/// and could set off a rewrite while the API is measured, and each measurement here starts from an empty AOF, as the
/// API's ingest does.
/// </summary>
public sealed class PeerRedisServer(ServerProcess process, DirectoryInfo directory, int port) : IAsyncDisposable
{
    public int Port => port;

    public string Url => string.Create(CultureInfo.InvariantCulture, $"redis://127.0.0.1:{port}");

    public static async Task<PeerRedisServer> StartAsync(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("phonic-peer-redis-");
        var port = LoopbackPorts.Free();
        var start = new ProcessStartInfo(
            "redis-server",
            [
                "--port", port.ToString(CultureInfo.InvariantCulture),
                "--bind", "127.0.0.1",
                "--dir", directory.FullName,
                "--daemonize", "no",
                // The stack's own, no maxmemory: the peers' runs are short and their Redis is theirs alone.
                .. new RedisServerSettings(maxMemory: null).Arguments,
            ]);
        try
        {
            // Throw-away data: it need not shut down cleanly, so it is killed at once.
            var server = await ServerProcess.StartAsync(
                start, line => line.Contains("Ready to accept connections", StringComparison.Ordinal), TimeSpan.Zero, cancellationToken);
            return new PeerRedisServer(server, directory, port);
        }
        catch
        {
            directory.Delete(recursive: true);
            throw;
        }
    }

    /// <summary>How many entries a stream holds: what shows that the appends measured really happened.</summary>
    public async Task<long> StreamLengthAsync(string stream)
    {
        await using var redis = await ConnectAsync();
        return await redis.GetDatabase().StreamLengthAsync(stream);
    }

    public async Task<ConnectionMultiplexer> ConnectAsync() =>
        await ConnectionMultiplexer.ConnectAsync(string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"));

    public async ValueTask DisposeAsync()
    {
        await process.DisposeAsync();
        directory.Delete(recursive: true);
    }
}
