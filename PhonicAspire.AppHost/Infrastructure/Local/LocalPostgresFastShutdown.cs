using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// Turns the orchestrator's stop of a local PostgreSQL (the dashboard's Stop or Restart, the same commands from the
/// command line) into a fast shutdown, as its container's stop signal (SIGINT) is. The orchestrator stops a program
/// with SIGTERM, which PostgreSQL takes for its smart shutdown: it waits for every session to end, the worker's pooled
/// connections never do, and the orchestrator killed the server 5 s later, leaving its cluster to be recovered from
/// the WAL at the next start. A SIGINT during a smart shutdown makes it a fast one, so this sends one once the server
/// has logged that the SIGTERM arrived. Not sooner, as when the resource reports that it is stopping: a server gone
/// before the orchestrator signals it fails the stop ("process not found"), and the resource never starts again. Not a
/// shell between the orchestrator and the server either: killed with the server, as a crash kills both, it left the
/// server a zombie whose pid kept the next start out.
/// </summary>
internal sealed partial class LocalPostgresFastShutdown(
    IResource postgres, string cluster, ResourceLoggerService logs, ILogger<LocalPostgresFastShutdown> logger)
    : BackgroundService
{
    private const int SigInt = 2;
    private static readonly TimeSpan ResubscribeDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var signalled = new HashSet<int>();
        try
        {
            // A watch may end with the run whose lines it follows; the next run's lines need a new one.
            while (!stoppingToken.IsCancellationRequested)
            {
                await foreach (var lines in logs.WatchAsync(postgres).WithCancellation(stoppingToken).ConfigureAwait(false))
                {
                    foreach (var pid in lines.Select(line => SmartShutdownRequestedBy(line.Content)).OfType<int>())
                    {
                        if (signalled.Add(pid))
                        {
                            RequestFastShutdown(pid);
                        }
                    }
                }

                await Task.Delay(ResubscribeDelay, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The AppHost is stopping; its own stop of the servers needs no help, every client leaving with it.
        }
    }

    private void RequestFastShutdown(int pid)
    {
        if (!IsPostmasterOfCluster(pid))
        {
            LogNotThePostmaster(logger, pid, cluster);
            return;
        }

        try
        {
            if (Signal(pid, SigInt) == 0)
            {
                LogFastShutdownRequested(logger, pid);
            }
            else
            {
                LogSignalFailed(logger, pid, Marshal.GetLastPInvokeError());
            }
        }
        catch (Exception exception) when (exception is DllNotFoundException or EntryPointNotFoundException)
        {
            LogSignalFailed(logger, pid, null);
        }
    }

    // postmaster.pid begins with the server's pid and its data folder, and goes with the server: a pid that no longer
    // is this cluster's server (gone, and the number perhaps another process's since) gets no signal.
    private bool IsPostmasterOfCluster(int pid)
    {
        try
        {
            var lines = File.ReadLines(Path.Combine(cluster, "postmaster.pid")).Take(2).ToArray();
            return lines.Length == 2
                && lines[0] == pid.ToString(CultureInfo.InvariantCulture)
                && SameFolder(lines[1], cluster);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // The postmaster's own line, with the log_line_prefix the cluster has ('%m [%p] ') and its messages in English
    // (the cluster is made with the C locale).
    private static int? SmartShutdownRequestedBy(string line) =>
        SmartShutdownRequested().Match(line) is { Success: true } request
        && int.TryParse(request.Groups["pid"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? pid
            : null;

    [GeneratedRegex(@"\[(?<pid>[0-9]+)\] LOG:  received smart shutdown request")]
    private static partial Regex SmartShutdownRequested();

    private static bool SameFolder(string one, string other) =>
        Path.TrimEndingDirectorySeparator(Path.GetFullPath(one)) == Path.TrimEndingDirectorySeparator(Path.GetFullPath(other));

    // .NET sends no signal but SIGKILL. DllImport rather than LibraryImport: the arguments are plain ints, so there is
    // nothing to generate, and the project needs no unsafe code for it.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Signal(int pid, int signal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Asked the local PostgreSQL (pid {Pid}) for a fast shutdown")]
    private static partial void LogFastShutdownRequested(ILogger logger, int pid);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Could not ask the local PostgreSQL (pid {Pid}) for a fast shutdown (errno {Errno}); it ends with the orchestrator's stop")]
    private static partial void LogSignalFailed(ILogger logger, int pid, int? errno);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Process {Pid} is not the PostgreSQL of {Cluster} by its postmaster.pid; it gets no signal, and the server ends with the orchestrator's stop")]
    private static partial void LogNotThePostmaster(ILogger logger, int pid, string cluster);
}
