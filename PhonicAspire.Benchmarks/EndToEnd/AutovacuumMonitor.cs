using Npgsql;

namespace PhonicAspire.Benchmarks.EndToEnd;

/// <summary>
/// PostgreSQL's autovacuum workers over one phase, read from <c>pg_stat_activity</c> twice a second. A worker that
/// vacuums or analyzes the tables the drain rounds grew can run through the end-to-end window, its CPU in PostgreSQL's
/// share and its reads on the disk every commit and fsync waits on (seen from <c>ps</c> in a full run of 2026-12-07);
/// this says, run by run, whether one did and on what.
/// </summary>
public sealed class AutovacuumMonitor(NpgsqlDataSource database, TimeProvider timeProvider) : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly CancellationTokenSource _stop = new();
    private Task<Dictionary<string, int>>? _polling;

    public void Start() => _polling = PollAsync(_stop.Token);

    /// <summary>Stops polling and returns each piece of work seen (such as <c>VACUUM public.webhook_events</c>), longest first.</summary>
    public async Task<AutovacuumActivity> StopAsync()
    {
        await _stop.CancelAsync();
        var seen = await (_polling ?? throw new InvalidOperationException("The monitor was never started."));
        return new AutovacuumActivity(
            PollInterval, [.. seen.OrderByDescending(work => work.Value).Select(work => (work.Key, PollInterval * work.Value))]);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_polling is not null)
        {
            await ((Task)_polling).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
    }

    private async Task<Dictionary<string, int>> PollAsync(CancellationToken stop)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            while (true)
            {
                await using (var command = database.CreateCommand(
                    "SELECT query FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND query LIKE 'autovacuum: %'"))
                await using (var reader = await command.ExecuteReaderAsync(stop))
                {
                    while (await reader.ReadAsync(stop))
                    {
                        var work = reader.GetString(0)["autovacuum: ".Length..];
                        seen[work] = seen.GetValueOrDefault(work) + 1;
                    }
                }

                await Task.Delay(PollInterval, timeProvider, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return seen;
        }
    }
}

/// <param name="Seen">Each piece of work an autovacuum worker was seen doing, with the time it was seen for (polls × interval).</param>
public sealed record AutovacuumActivity(TimeSpan PollInterval, IReadOnlyList<(string Work, TimeSpan Seen)> Seen);
