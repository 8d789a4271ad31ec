using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace PhonicAspire.Benchmarks.Peers;

/// <summary>
/// A server the benchmark starts as a child process: ready once it prints its ready line, and stopped on disposal
/// within a bound whether or not it heeds the closing of its standard input. What it prints after the ready line is
/// read and dropped, so that a full pipe never blocks it (the docs handler logs every delivery).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan KillLimit = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly TimeSpan _stopGrace;
    private readonly Task _drain;

    public int Id => _process.Id;

    private ServerProcess(Process process, TimeSpan stopGrace)
    {
        _process = process;
        _stopGrace = stopGrace;
        _drain = process.StartInfo.RedirectStandardOutput ? process.StandardOutput.BaseStream.CopyToAsync(Stream.Null) : Task.CompletedTask;
    }

    /// <summary>
    /// Starts a server whose standard output goes to <c>/dev/null</c> rather than through a pipe this process drains,
    /// ready once it accepts connections on <paramref name="port"/>: for a server that writes a line per request, where
    /// writing to a pipe (synchronous in Node) and draining it would cost the measured cores more than the server's
    /// own work does.
    /// </summary>
    public static Task<ServerProcess> StartQuietAsync(ProcessStartInfo start, int port, TimeSpan stopGrace, CancellationToken cancellationToken)
    {
        var command = string.Join(' ', new[] { start.FileName }.Concat(start.ArgumentList).Select(argument => $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'"));
        start.ArgumentList.Clear();
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"exec {command} >/dev/null");
        start.FileName = "sh";
        return StartAsync(start, command, stopGrace, cancellationToken, async (process, limit) =>
        {
            while (!await AcceptsAsync(port, limit))
            {
                if (process.HasExited)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), limit);
            }

            return true;
        });
    }

    /// <param name="stopGrace">
    /// How long it gets to exit by itself once its standard input closes; zero for one that does not watch it and
    /// is killed at once.
    /// </param>
    public static Task<ServerProcess> StartAsync(
        ProcessStartInfo start, Func<string, bool> isReadyLine, TimeSpan stopGrace, CancellationToken cancellationToken)
    {
        start.RedirectStandardOutput = true;
        return StartAsync(start, Path.GetFileName(start.FileName), stopGrace, cancellationToken, async (process, limit) =>
        {
            while (await process.StandardOutput.ReadLineAsync(limit) is { } line)
            {
                if (isReadyLine(line))
                {
                    return true;
                }
            }

            await process.WaitForExitAsync(limit);
            return false;
        });
    }

    // Starts the process and waits, within StartLimit, until it is ready; one that exits first, or never gets
    // ready, is killed.
    private static async Task<ServerProcess> StartAsync(
        ProcessStartInfo start, string name, TimeSpan stopGrace, CancellationToken cancellationToken, Func<Process, CancellationToken, Task<bool>> untilReady)
    {
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start.");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StartLimit);
        try
        {
            return await untilReady(process, limit.Token)
                ? new ServerProcess(process, stopGrace)
                : throw new InvalidOperationException($"{name} exited before it was ready (exit code {process.ExitCode}).");
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        if (!await ExitsWithinAsync(_stopGrace))
        {
            _process.Kill(entireProcessTree: true);
            await ExitsWithinAsync(KillLimit);
        }

        try
        {
            await _drain.WaitAsync(KillLimit);
        }
        catch (Exception exception) when (exception is TimeoutException or IOException)
        {
            // Its output ends with it: a grandchild still holding the pipe, or a pipe torn down, must not hold the run.
        }

        _process.Dispose();
    }

    private async Task<bool> ExitsWithinAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
