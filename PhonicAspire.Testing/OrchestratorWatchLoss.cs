using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace PhonicAspire.Testing;

/// <summary>
/// Notices when the AppHost stops watching the orchestrator: Aspire's DCP executor logs a critical "Watch task over
/// Kubernetes … resources terminated unexpectedly" when one of its watches over DCP's objects ends for good, and from
/// then on no resource's state changes, so a wait for one could only run out its bound (in a CI run, a dozen tests of
/// two minutes each). Waits link <see cref="Token"/> and, once it is cancelled, end at once with <see cref="Explain"/>.
/// </summary>
public sealed class OrchestratorWatchLoss(TimeProvider timeProvider) : ILoggerProvider
{
    private const string ExecutorCategory = "Aspire.Hosting.Dcp.DcpExecutor";
    private const string WatchEnded = "Watch task over ";

    private readonly CancellationTokenSource _lost = new();
    private string? _reason;

    /// <summary>Cancelled the first time a watch over the orchestrator ends.</summary>
    public CancellationToken Token => _lost.Token;

    public bool IsLost => Volatile.Read(ref _reason) is not null;

    /// <summary>A wait's cancellation: after <paramref name="bound"/>, on <paramref name="cancellationToken"/>, or once the watch is lost.</summary>
    public CancellationTokenSource Bound(TimeSpan bound, CancellationToken cancellationToken = default)
    {
        var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Token);
        wait.CancelAfter(bound);
        return wait;
    }

    /// <summary>Why a wait for <paramref name="waitingFor"/> cannot end: what Aspire logged, and when.</summary>
    public InvalidOperationException Explain(string waitingFor) =>
        new($"The AppHost stopped watching the orchestrator ({_reason}), so it can no longer see {waitingFor}.");

    public ILogger CreateLogger(string categoryName) =>
        categoryName == ExecutorCategory ? new CriticalEntries(this) : NullLogger.Instance;

    // The token source has no timer to release, and a watch may still end while the AppHost shuts down.
    public void Dispose()
    {
    }

    private void Record(string entry)
    {
        if (Interlocked.CompareExchange(ref _reason, $"at {timeProvider.GetUtcNow():HH:mm:ss.fff} UTC: {entry}", null) is null)
        {
            // Not on the thread that logged: the waits' cancellation callbacks are not Aspire's to run.
            _ = _lost.CancelAsync();
        }
    }

    private sealed class CriticalEntries(OrchestratorWatchLoss loss) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel == LogLevel.Critical;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var entry = formatter(state, exception);
            if (entry.StartsWith(WatchEnded, StringComparison.Ordinal))
            {
                loss.Record(exception is null ? entry : $"{entry} {exception.GetType().Name}: {exception.Message}");
            }
        }
    }
}
