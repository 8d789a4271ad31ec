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

    public static string Of(string resource, CustomResourceSnapshot snapshot) => Of(resource, snapshot, ProcessesOf(snapshot));

    /// <summary>
    /// <see cref="Of(string, CustomResourceSnapshot)"/>, and what a GET of <paramref name="path"/> gets, once and without
    /// retries, at each of the resource's URLs (through the orchestrator's proxy, if it has one) and at each port its
    /// processes listen on. Under Aspire.Hosting.Testing every HttpClient of the app host has the standard resilience
    /// handler, so the orchestrator's HTTP health checks retry with back-off until their own 10 s run out: a refused or
    /// reset connection, or an error status, reads "timed out" there. These name the failure, and a service that
    /// answers straight while its proxy does not points at the proxy.
    /// </summary>
    public static async Task<string> WithProbesAsync(string resource, CustomResourceSnapshot snapshot, string path)
    {
        var processes = ProcessesOf(snapshot);
        var targets = snapshot.Urls
            .Where(url => !url.IsInactive && url.Url.StartsWith("http://", StringComparison.Ordinal))
            .Select(url => new Uri(new Uri(url.Url), path))
            .Concat(processes.SelectMany(process => process.Ports).Select(port => new Uri($"http://127.0.0.1:{port}{path}")))
            .Distinct();
        using var client = new HttpClient { Timeout = ProbeTimeout };
        var probes = new List<string>();
        foreach (var target in targets)
        {
            probes.Add(await ProbeAsync(client, target));
        }

        var description = Of(resource, snapshot, processes);
        return probes.Count == 0 ? description : $"{description}; probed once: {string.Join("; ", probes)}";
    }

    private static string Of(string resource, CustomResourceSnapshot snapshot, IReadOnlyList<ResourceProcess> processes)
    {
        var state = string.IsNullOrEmpty(snapshot.State?.Text) ? "in no state yet" : snapshot.State.Text;
        var failingChecks = string.Concat(snapshot.HealthReports
            .Where(report => report.Status != HealthStatus.Healthy)
            .Select(report => $" ({report.Name}: {report.Description ?? report.ExceptionText})"));
        var described = processes.Count > 0 ? string.Join("; ", processes.Select(Describe)) : "none launched";
        return $"'{resource}' is {state}, health {snapshot.HealthStatus?.ToString() ?? "unknown"}{failingChecks}, "
            + $"exit code {snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}, processes: {described}";
    }

    /// <summary>Each process of the resource with the ports it listens on, read from /proc once per description.</summary>
    private static IReadOnlyList<ResourceProcess> ProcessesOf(CustomResourceSnapshot snapshot) =>
        ResourceProcesses.LauncherIn(snapshot) is > 0 and var launcher
            ? [.. ResourceProcesses.DescendantsAndSelf(launcher).Select(pid => new ResourceProcess(pid, ProcFs.ListeningPorts(pid)))]
            : [];

    private static string Describe(ResourceProcess process) =>
        $"{process.Pid} {ProcFs.SchedulerState(process.Pid)} '{string.Join(' ', ProcFs.Arguments(process.Pid))}'"
        + (process.Ports.Count > 0 ? $" listening on {string.Join(", ", process.Ports)}" : string.Empty);

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
            return $"GET {uri} failed after {elapsed.ElapsedMilliseconds} ms: {exception.Message}"
                + (exception.InnerException is { } cause ? $" ({cause.Message})" : string.Empty);
        }
    }

    private sealed record ResourceProcess(int Pid, IReadOnlyList<int> Ports);
}
