using System.Diagnostics;

namespace PhonicAspire.Benchmarks.Stack;

/// <summary>
/// The CPU time (user and system) a group of processes spends from <see cref="Start"/> to <see cref="Spent"/>, as
/// Linux counts it per process. The group is listed again at the end: a process that joined it in between (a new
/// PostgreSQL backend) counts from zero, one that left it is not counted.
/// </summary>
public sealed class ProcessGroupCpu
{
    private readonly Func<IEnumerable<int>> _members;
    private readonly Dictionary<int, TimeSpan> _atStart;

    private ProcessGroupCpu(Func<IEnumerable<int>> members)
    {
        _members = members;
        _atStart = Read(members());
    }

    public static ProcessGroupCpu Start(Func<IEnumerable<int>> members) => new(members);

    public TimeSpan Spent() =>
        Read(_members()).Aggregate(TimeSpan.Zero, (total, member) => total + member.Value - _atStart.GetValueOrDefault(member.Key));

    private static Dictionary<int, TimeSpan> Read(IEnumerable<int> members)
    {
        var times = new Dictionary<int, TimeSpan>();
        foreach (var pid in members)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                times[pid] = process.TotalProcessorTime;
            }
            catch (Exception gone) when (gone is ArgumentException or InvalidOperationException)
            {
                // It exited between the listing and the reading.
            }
        }

        return times;
    }
}
