using System.Diagnostics;
using System.Globalization;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// Kills a resource's processes the hard way (SIGKILL, all at once), as a crash of its machine or the OOM killer
/// would: the process the orchestrator started and every descendant, so a project's service dies with the
/// <c>dotnet run</c> that launched it and PostgreSQL's backends die with their postmaster.
/// </summary>
public static class ResourceProcesses
{
    public static IReadOnlyList<int> KillTree(DistributedApplication app, string resource)
    {
        Assert.True(app.ResourceNotifications.TryGetCurrentState(resource, out var state), $"'{resource}' has no state.");
        return KillTree(Convert.ToInt32(
            state.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value, CultureInfo.InvariantCulture));
    }

    /// <summary>SIGKILLs the process the orchestrator started (<paramref name="root"/>) and every descendant; returns them all.</summary>
    public static IReadOnlyList<int> KillTree(int root)
    {
        int[] victims = [root, .. DescendantsOf(root)];
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
    public static IReadOnlyList<int> DescendantsAndSelf(int root) => [root, .. DescendantsOf(root)];

    /// <summary>The resident memory, in bytes, of a project resource's service process (not the <c>dotnet run</c> that launched it).</summary>
    public static long ServiceResidentBytes(DistributedApplication app, string resource, string assemblyName)
    {
        Assert.True(app.ResourceNotifications.TryGetCurrentState(resource, out var state), $"'{resource}' has no state.");
        var launcher = Convert.ToInt32(
            state.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value, CultureInfo.InvariantCulture);
        var service = DescendantsOf(launcher).Single(pid =>
            CommandLine(pid) is var commandLine && commandLine.Contains(assemblyName, StringComparison.Ordinal) && !commandLine.Contains(" run ", StringComparison.Ordinal));

        // /proc/<pid>/status: "VmRSS:    123456 kB".
        var line = File.ReadLines($"/proc/{service}/status").Single(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
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
}
