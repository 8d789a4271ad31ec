using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Stack;

/// <summary>
/// The CPU time (user and system) a group of processes spends from <see cref="Start"/> to <see cref="Spent"/>, as
/// Linux counts it per process, with the children each has waited for. The group is listed again at the end: a
/// process that joined it in between (a new PostgreSQL backend) counts from zero; one that left it counts through
/// its parent, whole, once the parent has waited for it (an autovacuum worker, a fork of Redis), so a child that was
/// already running at the start counts its time before the start too, a little more than the group spent.
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
            // A process that exited between the listing and the reading has none.
            if (ProcFs.CpuTimeWithReapedChildren(pid) is { } spent)
            {
                times[pid] = spent;
            }
        }

        return times;
    }
}
