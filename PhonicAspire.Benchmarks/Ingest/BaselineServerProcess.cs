using System.Diagnostics;
using PhonicAspire.Benchmarks.Peers;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Ingest;

/// <summary>
/// Starts <see cref="BaselineServer"/> as a child process of this program, so that the baseline, like the API, is
/// a server process of its own and does not share a runtime with the load generator.
/// </summary>
public sealed class BaselineServerProcess(ServerProcess process, Uri address) : IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public Uri Address => address;

    public int ProcessId => process.Id;

    public static async Task<BaselineServerProcess> StartAsync(CancellationToken cancellationToken)
    {
        var port = LoopbackPorts.Free();
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("This process has no path.");
        // The workstation GC, as the API (Directory.Build.props) and this program run.
        var start = new ProcessStartInfo(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BaselineServer).Assembly.Location);
        }

        start.ArgumentList.Add(BaselineServer.Argument);
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var process = await ServerProcess.StartAsync(start, line => line == BaselineServer.ReadyLine, StopGrace, cancellationToken);
        return new BaselineServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}
