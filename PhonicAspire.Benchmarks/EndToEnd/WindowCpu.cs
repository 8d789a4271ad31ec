using PhonicAspire.Benchmarks.Stack;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.EndToEnd;

/// <summary>
/// Where the cores went while the window's deliveries passed through: the CPU time of each part of the stack, as Linux
/// counts it per process, and the machine's busy time, which also holds the load generator, the benchmark's own
/// OTLP receiver and the kernel's threads. Shows whether a latency missed comes from cores left without room, which
/// the stack's own figures cannot tell.
/// </summary>
public sealed class WindowCpuRecorder
{
    private readonly ProcessGroupCpu _api;
    private readonly ProcessGroupCpu _worker;
    private readonly ProcessGroupCpu _postgres;
    private readonly ProcessGroupCpu _redis;
    private readonly MachineCpuTime _machine;

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

        return new WindowCpu(
            _api.Spent() / deliveries,
            _worker.Spent() / deliveries,
            _postgres.Spent() / deliveries,
            _redis.Spent() / deliveries,
            (ProcFs.MachineCpu().Busy - _machine.Busy) / deliveries);
    }
}

/// <param name="Api">The API's CPU time a delivery.</param>
/// <param name="Worker">The worker's.</param>
/// <param name="Postgres">Every PostgreSQL process's together: backends, WAL writer, checkpointer, autovacuum.</param>
/// <param name="Redis">Redis's, with any child it forked.</param>
/// <param name="Machine">Every core's busy time together, the stack's included.</param>
public sealed record WindowCpu(TimeSpan Api, TimeSpan Worker, TimeSpan Postgres, TimeSpan Redis, TimeSpan Machine)
{
    /// <summary>The machine's busy time a delivery that none of the stack's processes spent.</summary>
    public TimeSpan Rest => Machine - Api - Worker - Postgres - Redis;
}
