using System.Diagnostics;
using System.Globalization;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// Kills a project resource's process the hard way (SIGKILL), as a crash or the OOM killer would. The orchestrator
/// starts projects through <c>dotnet run</c>, so the service is a descendant of the process it reports.
/// </summary>
public static class ResourceProcesses
{
    public static int KillService(DistributedApplication app, string resource, string assemblyName)
    {
        Assert.True(app.ResourceNotifications.TryGetCurrentState(resource, out var state), $"'{resource}' has no state.");
        var launcherPid = Convert.ToInt32(
            state.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value, CultureInfo.InvariantCulture);

        var victims = DescendantsOf(launcherPid).Where(pid => CommandLine(pid).Contains(assemblyName, StringComparison.Ordinal)
            && !CommandLine(pid).Contains(" run ", StringComparison.Ordinal)).ToArray();
        Assert.NotEmpty(victims);

        foreach (var pid in victims)
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }

        return victims.Length;
    }

    private static IEnumerable<int> DescendantsOf(int root)
    {
        var children = Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(name => (Pid: int.Parse(name!, CultureInfo.InvariantCulture), Parent: ParentOf(name!)))
            .Where(process => process.Parent is not null)
            .ToLookup(process => process.Parent!.Value, process => process.Pid);

        var pending = new Stack<int>([root]);
        while (pending.TryPop(out var pid))
        {
            foreach (var child in children[pid])
            {
                yield return child;
                pending.Push(child);
            }
        }
    }

    private static int? ParentOf(string pid)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so read after its ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
