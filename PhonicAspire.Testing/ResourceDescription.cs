using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PhonicAspire.Testing;

/// <summary>
/// What the orchestrator and /proc know of a resource that did not get where a test or benchmark waited for it: its
/// state, health and failing checks, exit code, and each of its processes with its scheduler state. A service that
/// never started shows as a <c>dotnet run</c> launcher without a child; one that hangs, as a live child.
/// </summary>
public static class ResourceDescription
{
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
        var processes = ResourceProcesses.LauncherIn(snapshot) is > 0 and var launcher
            ? string.Join("; ", ResourceProcesses.DescendantsAndSelf(launcher)
                .Select(pid => $"{pid} {ProcFs.SchedulerState(pid)} '{ProcFs.CommandLine(pid).Trim()}'"))
            : "none launched";
        return $"'{resource}' is {state}, health {snapshot.HealthStatus?.ToString() ?? "unknown"}{failingChecks}, "
            + $"exit code {snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}, processes: {processes}";
    }
}
