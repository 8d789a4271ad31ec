using PhonicAspire.Benchmarks.Stack;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.EndToEnd;

/// <summary>
/// Where the cores went while the window's deliveries passed through: the CPU time of each part of the stack, as Linux
/// counts it per process, and the share of the machine's that was idle. Shows whether a latency missed comes from
/// cores left without room, which the stack's own figures cannot tell.
/// </summary>
public sealed class WindowCpuRecorder
{
    private readonly ProcessGroupCpu _api;
    private readonly ProcessGroupCpu _worker;
    private readonly ProcessGroupCpu _postgres;
    private readonly ProcessGroupCpu _redis;
    private readonly MachineCpuTicks _machine;

    private WindowCpuRecorder(PhonicStack stack)
    {
        var processes = stack.Processes;
        var api = processes.ServiceOf(PhonicStack.Api, PhonicStack.ApiAssembly);
        var worker = processes.ServiceOf(stack.WorkerInstances[0], PhonicStack.WorkerAssembly);
        _api = ProcessGroupCpu.Start(() => [api]);
        _worker = ProcessGroupCpu.Start(() => [worker]);
        _postgres = ProcessGroupCpu.Start(processes.PostgresProcesses);
        _redis = ProcessGroupCpu.Start(processes.RedisProcesses);
        _machine = ProcFs.MachineCpu();
    }

    /// <summary>Starts counting; expects the one worker end to end runs with.</summary>
    public static WindowCpuRecorder Start(PhonicStack stack) => new(stack);

    /// <summary>The figures a delivery; null when none was acknowledged.</summary>
    public WindowCpu? Stop(long deliveries)
    {
        if (deliveries == 0)
        {
            return null;
        }

        var machine = ProcFs.MachineCpu();
        var (idle, busy) = (machine.Idle - _machine.Idle, machine.Busy - _machine.Busy);
        return new WindowCpu(
            _api.Spent() / deliveries,
            _worker.Spent() / deliveries,
            _postgres.Spent() / deliveries,
            _redis.Spent() / deliveries,
            idle + busy == 0 ? 0 : (double)idle / (idle + busy));
    }
}

/// <param name="Api">The API's CPU time a delivery.</param>
/// <param name="Worker">The worker's.</param>
/// <param name="Postgres">Every PostgreSQL process's together: backends, WAL writer, checkpointer, autovacuum.</param>
/// <param name="Redis">Redis's, with any child it forked.</param>
/// <param name="IdleShare">The share of all cores' time no process had work for (or spent waiting for I/O).</param>
public sealed record WindowCpu(TimeSpan Api, TimeSpan Worker, TimeSpan Postgres, TimeSpan Redis, double IdleShare);
