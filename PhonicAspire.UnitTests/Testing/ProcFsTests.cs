using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PhonicAspire.Testing;

namespace PhonicAspire.UnitTests.Testing;

[Collection(ThisProcessListeners.Name)]
public sealed class ProcFsTests
{
    [Fact]
    public void A_process_listening_port_is_found_and_a_closed_one_is_not()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;

            Assert.Contains(port, ProcFs.ListeningPorts(Environment.ProcessId));
        }

        Assert.DoesNotContain(port, ProcFs.ListeningPorts(Environment.ProcessId));
    }

    [Fact]
    public void A_process_that_is_gone_listens_on_nothing() =>
        Assert.Empty(ProcFs.ListeningPorts(int.MaxValue));

    [Fact]
    public void Every_core_kept_busy_shows_in_the_machines_busy_time_and_no_more_than_the_cores_had()
    {
        var cores = Environment.ProcessorCount;
        var elapsed = Stopwatch.StartNew();
        var before = ProcFs.MachineCpu();

        // A thread of its own for each core: pool threads may be too few yet, and one would then spin twice in turn.
        var spinners = Enumerable.Range(0, cores).Select(_ => new Thread(() => Spin(TimeSpan.FromMilliseconds(300)))).ToArray();
        foreach (var spinner in spinners)
        {
            spinner.Start();
        }

        foreach (var spinner in spinners)
        {
            spinner.Join();
        }

        var after = ProcFs.MachineCpu();
        elapsed.Stop();

        // Half of each core's 300 ms leaves room for a thread that starts late; two ticks (20 ms) a core for the counting.
        var busy = after.Busy - before.Busy;
        Assert.InRange(after.Cores, cores, int.MaxValue);
        Assert.InRange(busy, TimeSpan.FromMilliseconds(150) * cores, (elapsed.Elapsed + TimeSpan.FromMilliseconds(20)) * after.Cores);
    }

    [Fact]
    public async Task A_child_process_that_exited_counts_in_its_parents_cpu_time()
    {
        // A shell runs a child that spins until Linux stops it at one second of CPU time, however busy the machine,
        // waits for it, and then sleeps: its own time is a few milliseconds, its reaped child's a second. A shell of its
        // own rather than this process, whose threads other tests keep busy meanwhile.
        var parentShell = new ProcessStartInfo("sh", ["-c", "sh -c 'ulimit -c 0; ulimit -t 1; while :; do :; done'; echo reaped; exec sleep 30"])
        {
            RedirectStandardOutput = true,
        };
        using var parent = Process.Start(parentShell)!;
        try
        {
            Assert.Equal("reaped", await parent.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));

            // Without the child's time the shell's own few milliseconds: half the second tells the two apart, with room
            // for the 0.8 s a second-limited child was seen counted at on an oversubscribed machine.
            Assert.InRange(ProcFs.CpuTimeWithReapedChildren(parent.Id) ?? TimeSpan.Zero, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2));
        }
        finally
        {
            parent.Kill();
            await parent.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void A_process_that_is_gone_has_no_cpu_time() =>
        Assert.Null(ProcFs.CpuTimeWithReapedChildren(int.MaxValue));

    private static void Spin(TimeSpan duration)
    {
        var spinning = Stopwatch.StartNew();
        while (spinning.Elapsed < duration)
        {
            Thread.SpinWait(1_000);
        }
    }
}
