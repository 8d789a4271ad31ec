using System.Diagnostics;
using System.Globalization;

namespace PhonicAspire.Testing;

/// <summary>
/// A resource's processes. The orchestrator starts a project through <c>dotnet run</c>, whose pid it reports as
/// <c>executable.pid</c>; the service itself is a descendant of that launcher.
/// </summary>
public static class ResourceProcesses
{
    public static int LauncherOf(DistributedApplication app, string resource)
    {
        if (!app.ResourceNotifications.TryGetCurrentState(resource, out var state))
        {
            throw new InvalidOperationException($"'{resource}' has no state.");
        }

        return LauncherIn(state.Snapshot)
            ?? throw new InvalidOperationException($"'{resource}' reports no executable.pid; is it running?");
    }

    /// <summary>The launcher's pid as the snapshot reports it; none, or 0, until the orchestrator has launched it.</summary>
    public static int? LauncherIn(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.SingleOrDefault(property => property.Name == "executable.pid")?.Value is { } pid
            ? Convert.ToInt32(pid, CultureInfo.InvariantCulture)
            : null;

    /// <summary>The service process of a project resource, not the <c>dotnet run</c> that launched it.</summary>
    public static int ServiceOf(DistributedApplication app, string resource, string assemblyName)
    {
        var services = ProcFs.DescendantsOf(LauncherOf(app, resource))
            .Where(pid => ProcFs.Arguments(pid) is var arguments
                && arguments.Any(argument => argument.Contains(assemblyName, StringComparison.Ordinal))
                && !arguments.Contains("run"))
            .ToArray();
        return services.Length == 1
            ? services[0]
            : throw new InvalidOperationException($"Expected one {assemblyName} process under '{resource}', found {services.Length}.");
    }

    /// <summary>The build configuration the launcher runs (its <c>-c</c>/<c>--configuration</c>), or what it printed instead.</summary>
    public static string ConfigurationOf(DistributedApplication app, string resource)
    {
        var arguments = ProcFs.Arguments(LauncherOf(app, resource)).ToList();
        var flag = arguments.FindIndex(argument => argument is "-c" or "--configuration");
        return flag >= 0 && flag + 1 < arguments.Count
            ? arguments[flag + 1]
            : $"no -c in '{string.Join(' ', arguments)}'";
    }

    /// <summary>The resident memory, in bytes, of a project resource's service process.</summary>
    public static long ServiceResidentBytes(DistributedApplication app, string resource, string assemblyName) =>
        ProcFs.StatusKilobytes(ServiceOf(app, resource, assemblyName), "VmRSS") * 1024;

    /// <summary>
    /// Kills a resource's processes the hard way (SIGKILL, all at once), as a crash of its machine or the OOM killer
    /// would: the process the orchestrator started and every descendant, so a project's service dies with the
    /// <c>dotnet run</c> that launched it and PostgreSQL's backends die with their postmaster.
    /// </summary>
    public static IReadOnlyList<int> KillTree(DistributedApplication app, string resource) => KillTree(LauncherOf(app, resource));

    /// <summary>SIGKILLs <paramref name="root"/> and every descendant; returns them all.</summary>
    public static IReadOnlyList<int> KillTree(int root)
    {
        var victims = DescendantsAndSelf(root);
        foreach (var pid in victims)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
            catch (Exception gone) when (gone is ArgumentException or InvalidOperationException)
            {
                // It exited between listing and killing.
            }
        }

        return victims;
    }

    /// <summary>A process and every descendant, such as a service and the <c>dotnet run</c> that launched it.</summary>
    public static IReadOnlyList<int> DescendantsAndSelf(int root) => [root, .. ProcFs.DescendantsOf(root)];
}
