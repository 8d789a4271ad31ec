using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PhonicAspire.Testing;

/// <summary>
/// What the orchestrator and /proc know of a resource that did not get where a test or benchmark waited for it: its
/// state, health and failing checks, exit code, and each of its processes with its scheduler state and the ports it
/// listens on. A service that never started shows as a <c>dotnet run</c> launcher without a child; one that hangs, as
/// a live child; one that never bound its port, as a child listening on nothing.
/// </summary>
public static class ResourceDescription
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    public static string Of(DistributedApplication app, string resource) =>
        app.ResourceNotifications.TryGetCurrentState(resource, out var current)
            ? Of(resource, current.Snapshot)
            : $"'{resource}' has no state";

    public static string Of(string resource, CustomResourceSnapshot snapshot)
    {
        var state = string.IsNullOrEmpty(snapshot.State?.Text) ? "in no state yet" : snapshot.State.Text;
        var failingChecks = string.Concat(snapshot.HealthReports
            .Where(report => report.Status != HealthStatus.Healthy)
            .Select(report => $" ({report.Name}: {report.Description ?? report.ExceptionText})"));
        var processes = Processes(snapshot) is { Count: > 0 } pids
            ? string.Join("; ", pids.Select(Describe))
            : "none launched";
        return $"'{resource}' is {state}, health {snapshot.HealthStatus?.ToString() ?? "unknown"}{failingChecks}, "
            + $"exit code {snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}, processes: {processes}";
    }

    /// <summary>
    /// <see cref="Of(string, CustomResourceSnapshot)"/>, and what each port its processes listen on answers to a GET of
    /// <paramref name="path"/> sent straight to it. The orchestrator's health checks of a project go through its proxy:
    /// a service that answers here while they time out points at the proxy, not the service.
    /// </summary>
    public static async Task<string> WithProbesAsync(string resource, CustomResourceSnapshot snapshot, string path)
    {
        using var client = new HttpClient { Timeout = ProbeTimeout };
        var probes = new List<string>();
        foreach (var port in Processes(snapshot).SelectMany(ProcFs.ListeningPorts).Distinct())
        {
            probes.Add(await ProbeAsync(client, new Uri($"http://127.0.0.1:{port}{path}")));
        }

        var description = Of(resource, snapshot);
        return probes.Count == 0 ? description : $"{description}; sent straight to them: {string.Join("; ", probes)}";
    }

    private static IReadOnlyList<int> Processes(CustomResourceSnapshot snapshot) =>
        ResourceProcesses.LauncherIn(snapshot) is > 0 and var launcher ? ResourceProcesses.DescendantsAndSelf(launcher) : [];

    private static string Describe(int pid) =>
        $"{pid} {ProcFs.SchedulerState(pid)} '{ProcFs.CommandLine(pid).Trim()}'"
        + (ProcFs.ListeningPorts(pid) is { Count: > 0 } ports ? $" listening on {string.Join(", ", ports)}" : string.Empty);

    private static async Task<string> ProbeAsync(HttpClient client, Uri uri)
    {
        var elapsed = Stopwatch.StartNew();
        try
        {
            using var response = await client.GetAsync(uri);
            return $"GET {uri} answered {(int)response.StatusCode} in {elapsed.ElapsedMilliseconds} ms";
        }
        catch (TaskCanceledException)
        {
            return $"GET {uri} got no answer within {ProbeTimeout.TotalSeconds:0} s";
        }
        catch (HttpRequestException exception)
        {
            return $"GET {uri} failed after {elapsed.ElapsedMilliseconds} ms: {exception.Message}";
        }
    }
}
