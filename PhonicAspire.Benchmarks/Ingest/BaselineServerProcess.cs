using System.Diagnostics;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Ingest;

/// <summary>
/// Starts <see cref="BaselineServer"/> as a child process of this program, so that the baseline, like the API, is
/// a server process of its own and does not share a runtime with the load generator.
/// </summary>
public sealed class BaselineServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);

    private readonly Process _process;

    private BaselineServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public static async Task<BaselineServerProcess> StartAsync(CancellationToken cancellationToken)
    {
        var port = LoopbackPorts.Free();
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("This process has no path.");
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            // The API is a Microsoft.NET.Sdk.Web project, which defaults to the server GC; so must its baseline.
            Environment = { ["DOTNET_gcServer"] = "1" },
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(BaselineServer).Assembly.Location);
        }

        start.ArgumentList.Add(BaselineServer.Argument);
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var process = Process.Start(start) ?? throw new InvalidOperationException("The baseline server did not start.");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartLimit);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                if (line == BaselineServer.ReadyLine)
                {
                    return new BaselineServerProcess(process, new Uri($"http://127.0.0.1:{port}"));
                }
            }

            throw new InvalidOperationException($"The baseline server exited before it was ready (exit code {process.ExitCode}).");
        }
        catch
        {
            process.Kill();
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None);
        }

        _process.Dispose();
    }
}
