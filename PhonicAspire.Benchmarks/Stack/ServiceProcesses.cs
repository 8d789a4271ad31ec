using System.Globalization;

namespace PhonicAspire.Benchmarks.Stack;

/// <summary>
/// Finds a project resource's processes. The orchestrator starts projects through <c>dotnet run</c>, whose pid it
/// reports as <c>executable.pid</c>; the service itself is a descendant of that launcher.
/// </summary>
public sealed class ServiceProcesses(DistributedApplication app)
{
    public int LauncherOf(string resource)
    {
        if (!app.ResourceNotifications.TryGetCurrentState(resource, out var state))
        {
            throw new InvalidOperationException($"'{resource}' has no state.");
        }

        var pid = state.Snapshot.Properties.SingleOrDefault(property => property.Name == "executable.pid")?.Value
            ?? throw new InvalidOperationException($"'{resource}' reports no executable.pid; is it running?");
        return Convert.ToInt32(pid, CultureInfo.InvariantCulture);
    }

    public int ServiceOf(string resource, string assemblyName)
    {
        var services = ProcFs.DescendantsOf(LauncherOf(resource))
            .Where(pid => ProcFs.CommandLine(pid) is var command
                && command.Contains(assemblyName, StringComparison.Ordinal)
                && !command.Contains(" run ", StringComparison.Ordinal))
            .ToArray();
        return services.Length == 1
            ? services[0]
            : throw new InvalidOperationException($"Expected one {assemblyName} process under '{resource}', found {services.Length}.");
    }

    /// <summary>The build configuration the launcher runs (its <c>-c</c>/<c>--configuration</c>), or what it printed instead.</summary>
    public string ConfigurationOf(string resource)
    {
        var arguments = ProcFs.CommandLine(LauncherOf(resource)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var flag = Array.FindIndex(arguments, argument => argument is "-c" or "--configuration");
        return flag >= 0 && flag + 1 < arguments.Length
            ? arguments[flag + 1]
            : $"no -c in '{string.Join(' ', arguments)}'";
    }
}
