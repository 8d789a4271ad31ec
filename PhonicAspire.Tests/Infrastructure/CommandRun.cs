using System.Diagnostics;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>A command run to its end within a bound, with what it wrote; killed with its children past the bound.</summary>
public static class CommandRun
{
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(ProcessStartInfo start, TimeSpan timeout, string input = "")
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var cancellation = new CancellationTokenSource(timeout);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellation.Token);
        var error = process.StandardError.ReadToEndAsync(cancellation.Token);
        try
        {
            try
            {
                await process.StandardInput.WriteAsync(input.AsMemory(), cancellation.Token);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It exited without reading its input; its exit code and output say why.
            }

            await process.WaitForExitAsync(cancellation.Token);
            return (process.ExitCode, await output, await error);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(start.FileName)} did not finish within {timeout.TotalSeconds:0} s.");
        }
    }
}
