using System.Diagnostics;
using PhonicAspire.Testing;

namespace PhonicAspire.UnitTests.Testing;

public sealed class MachineCpuTimeTests
{
    [Fact]
    public void Every_core_kept_busy_shows_in_the_machines_busy_time_and_not_in_its_idle_time()
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

        // Half of each core's 300 ms leaves room for Linux's 10 ms ticks and a thread that starts late.
        var busy = after.Busy - before.Busy;
        Assert.InRange(busy, TimeSpan.FromMilliseconds(150) * cores, TimeSpan.MaxValue);
        Assert.InRange(after.Idle - before.Idle, TimeSpan.Zero, busy / 2);
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
