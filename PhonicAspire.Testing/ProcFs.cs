using System.Globalization;

namespace PhonicAspire.Testing;

/// <summary>What Linux's /proc tells about processes (parentage, command lines, environments, memory high-water marks, resident mappings, listening ports) and about the machine's CPU time.</summary>
public static class ProcFs
{
    /// <summary>Every process on the machine, as /proc lists them now.</summary>
    public static IEnumerable<int> All() => Directory.EnumerateDirectories("/proc")
        .Select(Path.GetFileName)
        .Where(name => int.TryParse(name, out _))
        .Select(name => int.Parse(name!, CultureInfo.InvariantCulture));

    public static IEnumerable<int> DescendantsOf(int root)
    {
        var children = All()
            .Select(pid => (Pid: pid, Parent: ParentOf(pid)))
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

    /// <summary>The process's arguments as it was given them, its program first; none once it is gone.</summary>
    public static IReadOnlyList<string> Arguments(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>One variable of the environment the process started with, or null.</summary>
    public static string? EnvironmentVariable(int pid, string name)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0')
                .FirstOrDefault(variable => variable.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>A <c>/proc/&lt;pid&gt;/status</c> field in kB, such as <c>VmHWM</c> (peak resident set).</summary>
    public static long StatusKilobytes(int pid, string field)
    {
        var prefix = field + ":";
        return Kilobytes(File.ReadLines($"/proc/{pid}/status").Single(line => line.StartsWith(prefix, StringComparison.Ordinal)), prefix);
    }

    /// <summary>
    /// The resident kB of the process's mappings with this name in <c>/proc/&lt;pid&gt;/smaps</c>, such as <c>[heap]</c>
    /// (the C library's main heap) or a file's path.
    /// </summary>
    public static long MappingResidentKilobytes(int pid, string name)
    {
        const string Resident = "Rss:";
        long total = 0;
        var inMapping = false;
        foreach (var line in File.ReadLines($"/proc/{pid}/smaps"))
        {
            if (IsMappingHeader(line))
            {
                inMapping = line.EndsWith(" " + name, StringComparison.Ordinal);
            }
            else if (inMapping && line.StartsWith(Resident, StringComparison.Ordinal))
            {
                total += Kilobytes(line, Resident);
            }
        }

        return total;
    }

    /// <summary>
    /// The machine's busy CPU time since boot, all cores together, and how many cores <c>/proc/stat</c> counts: user,
    /// system and interrupt time, not idle, waiting for I/O, or time the hypervisor gave to other machines.
    /// </summary>
    public static MachineCpuTime MachineCpu()
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", then a "cpuN" line a core; guest time
        // is already counted in user.
        var lines = File.ReadLines("/proc/stat").TakeWhile(line => line.StartsWith("cpu", StringComparison.Ordinal)).ToArray();
        var ticks = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1).Take(7).Select(field => long.Parse(field, CultureInfo.InvariantCulture)).ToArray();
        return new MachineCpuTime(Ticks(ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6]), lines.Length - 1);
    }

    /// <summary>
    /// The CPU time (user and system) the process has spent, with that of the children it has waited for: a Redis
    /// that forked to rewrite its append-only file, a PostgreSQL whose autovacuum workers came and went. Null once
    /// the process is gone.
    /// </summary>
    public static TimeSpan? CpuTimeWithReapedChildren(int pid) =>
        StatFields(pid.ToString(CultureInfo.InvariantCulture)) is { } fields
            // After the name: utime, stime, cutime and cstime are the 12th to the 15th fields.
            ? Ticks(fields[11..15].Sum(field => long.Parse(field, CultureInfo.InvariantCulture)))
            : null;

    /// <summary>The scheduler's state letter (R running, S sleeping, D in uninterruptible I/O, Z zombie, …), or "gone".</summary>
    public static string SchedulerState(int pid) =>
        StatFields(pid.ToString(CultureInfo.InvariantCulture)) is { } fields ? fields[0] : "gone";

    /// <summary>The TCP ports the process listens on (IPv4 or IPv6): its socket descriptors found in <c>/proc/net/tcp*</c> in state LISTEN.</summary>
    public static IReadOnlyList<int> ListeningPorts(int pid)
    {
        string[] descriptors;
        try
        {
            descriptors = Directory.GetFileSystemEntries($"/proc/{pid}/fd");
        }
        catch (Exception gone) when (gone is IOException or UnauthorizedAccessException)
        {
            return [];
        }

        const string Socket = "socket:[";
        var sockets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var descriptor in descriptors)
        {
            try
            {
                if (new FileInfo(descriptor).LinkTarget is { } target && target.StartsWith(Socket, StringComparison.Ordinal))
                {
                    sockets.Add(target[Socket.Length..^1]);
                }
            }
            catch (IOException)
            {
                // Closed since the listing; a busy service opens and closes connections all the time.
            }
        }

        // Columns: sl local_address rem_address st ... inode; the port is the local address's hex after ':', 0A is LISTEN.
        const string Listen = "0A";
        return new[] { "/proc/net/tcp", "/proc/net/tcp6" }
            .SelectMany(table => File.ReadLines(table).Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(columns => columns[3] == Listen && sockets.Contains(columns[9]))
            .Select(columns => int.Parse(columns[1][(columns[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            .Distinct()
            .Order()
            .ToArray();
    }

    // /proc counts CPU time in USER_HZ ticks, which Linux fixes at 100 a second whatever the kernel's own tick rate.
    private static TimeSpan Ticks(long ticks) => TimeSpan.FromMilliseconds(ticks * 10);

    // status and smaps write their sizes alike: "VmHWM:     1234 kB".
    private static long Kilobytes(string line, string prefix) =>
        long.Parse(line[prefix.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);

    // A mapping's first line starts with its address range ("7f12a000-7f12c000 rw-p …"); its fields with a name and a colon.
    private static bool IsMappingHeader(string line)
    {
        var firstField = line.AsSpan(0, Math.Max(0, line.IndexOf(' ', StringComparison.Ordinal)));
        return firstField.Contains('-') && !firstField.Contains(':');
    }

    private static int? ParentOf(int pid) =>
        StatFields(pid.ToString(CultureInfo.InvariantCulture)) is { } fields ? int.Parse(fields[1], CultureInfo.InvariantCulture) : null;

    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so the fields are read after its ')'.
    private static string[]? StatFields(string pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
