using System.Diagnostics;
using System.Text;

namespace PhonicAspire.Tests.Infrastructure.Managed;

/// <summary>A server binary of the machine (redis-server, postgres) run by a test, its output kept for failure messages.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static ServerProcess Start(string fileName, IEnumerable<string> arguments)
    {
        var server = new ServerProcess(new Process
        {
            StartInfo = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true },
        });
        server._process.OutputDataReceived += (_, line) => server.Append(line.Data);
        server._process.ErrorDataReceived += (_, line) => server.Append(line.Data);
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Runs a command to its end within a bound, failing with its output if it does not succeed.</summary>
    public static async Task RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        await using var command = Start(fileName, arguments);
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await command._process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{fileName} did not finish within {timeout.TotalSeconds:0} s. Its output:\n{command.Output}");
        }

        // The asynchronous readers may still hold the last lines until the streams close.
        command._process.WaitForExit();
        if (command._process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} failed with exit code {command._process.ExitCode}:\n{command.Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // A throw-away server: nothing in it needs a clean shutdown, and its data folder goes next.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(ExitTimeout);
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
