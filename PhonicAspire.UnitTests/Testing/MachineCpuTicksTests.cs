using System.Diagnostics;
using PhonicAspire.Testing;

namespace PhonicAspire.UnitTests.Testing;

public sealed class MachineCpuTicksTests
{
    [Fact]
    public void Every_core_kept_busy_shows_in_the_machines_busy_ticks_and_not_in_its_idle_ones()
    {
        var cores = Environment.ProcessorCount;
        var before = ProcFs.MachineCpu();
        // A thread of its own for each core: pool threads may be too few yet, and one would then spin twice in turn.
        var spinners = Enumerable.Range(0, cores).Select(_ => new Thread(SpinForAWhile)).ToArray();
        foreach (var spinner in spinners)
        {
            spinner.Start();
        }

        foreach (var spinner in spinners)
        {
            spinner.Join();
        }

        var after = ProcFs.MachineCpu();

        // 300 ms of a core is 30 ticks at Linux's 100 a second; half of them leaves room for rounding and a late start.
        var busy = after.Busy - before.Busy;
        Assert.InRange(busy, 15 * cores, long.MaxValue);
        Assert.InRange(after.Idle - before.Idle, 0, busy / 2);
    }

    private static void SpinForAWhile()
    {
        var spinning = Stopwatch.StartNew();
        while (spinning.ElapsedMilliseconds < 300)
        {
            Thread.SpinWait(1_000);
        }
    }
}
