using System.Diagnostics;
using System.Globalization;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Peers;

/// <summary>
/// The handler on Phonic's documentation page as a user would run it (<c>Peers/docs-handler/server.mjs</c>: Node,
/// Hono, svix 1.x), one Node process on loopback; with a Redis, also the durable version of it, which XADDs each
/// verified delivery before its 200. Its packages are what <c>scripts/bench</c> installed with <c>npm ci</c>.
/// </summary>
public sealed class DocsHandlerPeer(ServerProcess process, Uri address) : IAsyncDisposable
{
    /// <summary>The stream the durable version appends to, in its own Redis.</summary>
    public const string Stream = "docs-handler:webhooks";

    // Node exits as soon as its standard input closes; the bound is for one that is stuck.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public Uri Address => address;

    /// <summary>Node's own process: the shell that starts it execs into it.</summary>
    public int ProcessId => process.Id;

    public static async Task<DocsHandlerPeer> StartAsync(string webhookSecret, PeerRedisServer? durableTo, CancellationToken cancellationToken)
    {
        var folder = Path.Combine(Checkout.Root, "PhonicAspire.Benchmarks", "Peers", "docs-handler");
        if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            throw new InvalidOperationException($"{folder} has no node_modules: run scripts/bench, which installs them with npm ci.");
        }

        var port = LoopbackPorts.Free();
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = folder,
            ArgumentList = { "server.mjs" },
            Environment =
            {
                ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
                ["PHONIC_WEBHOOK_SECRET"] = webhookSecret,
                // As a user would run it in production.
                ["NODE_ENV"] = "production",
            },
        };
        if (durableTo is not null)
        {
            start.Environment["PEER_REDIS_URL"] = durableTo.Url;
            start.Environment["PEER_REDIS_STREAM"] = Stream;
        }

        // Its line per delivery goes to /dev/null, the cheapest place it could: the peer at its best.
        var process = await ServerProcess.StartQuietAsync(start, port, StopGrace, cancellationToken);
        return new DocsHandlerPeer(process, new Uri($"http://127.0.0.1:{port}"));
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
