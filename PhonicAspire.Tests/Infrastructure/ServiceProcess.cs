using System.Diagnostics;
using System.Text;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// One of the project's programs (a service, the command line) started on its own from the test's output folder,
/// outside the orchestrator, with exactly the configuration a test gives it.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private ServiceProcess(Process process) => _process = process;

    /// <summary>Standard output and error, interleaved as they arrived.</summary>
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

    /// <summary>Standard error alone.</summary>
    public string Error
    {
        get
        {
            lock (_output)
            {
                return _error.ToString();
            }
        }
    }

    public static ServiceProcess Start(string assemblyName, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, [Path.Combine(AppContext.BaseDirectory, $"{assemblyName}.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var service = new ServiceProcess(new Process { StartInfo = start });
        service._process.OutputDataReceived += (_, line) => service.Append(line.Data);
        service._process.ErrorDataReceived += (_, line) => service.Append(line.Data, error: true);
        service._process.Start();
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Sends SIGINT, as Ctrl+C in a terminal does.</summary>
    public async Task InterruptAsync()
    {
        using var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Waits, with a bound, for the process to exit by itself and returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The service did not exit within {timeout.TotalSeconds:0} s. Its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }

    private void Append(string? line, bool error = false)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
                if (error)
                {
                    _error.AppendLine(line);
                }
            }
        }
    }
}
