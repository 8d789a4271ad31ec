using PhonicAspire.Benchmarks.Stack;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.EndToEnd;

/// <summary>
/// Counts <see cref="WindowCpu"/> from <see cref="Start"/> to <see cref="Stop"/>. Expects the one worker end to end
/// runs with.
/// </summary>
public sealed class WindowCpuRecorder
{
    private readonly TimeProvider _timeProvider;
    private readonly long _started;
    private readonly ProcessGroupCpu _api;
    private readonly ProcessGroupCpu _worker;
    private readonly ProcessGroupCpu _postgres;
    private readonly ProcessGroupCpu _redis;
    private readonly TimeSpan _machineBusy;

    private WindowCpuRecorder(PhonicStack stack, TimeProvider timeProvider)
    {
        var processes = stack.Processes;
        var api = processes.ServiceOf(PhonicStack.Api, PhonicStack.ApiAssembly);
        var worker = processes.ServiceOf(stack.WorkerInstances[0], PhonicStack.WorkerAssembly);
        _api = ProcessGroupCpu.Start(() => [api]);
        _worker = ProcessGroupCpu.Start(() => [worker]);
        _postgres = ProcessGroupCpu.Start(processes.PostgresProcesses);
        _redis = ProcessGroupCpu.Start(processes.RedisProcesses);
        _machineBusy = ProcFs.MachineCpu().Busy;
        _timeProvider = timeProvider;
        _started = timeProvider.GetTimestamp();
    }

    public static WindowCpuRecorder Start(PhonicStack stack, TimeProvider timeProvider) => new(stack, timeProvider);

    public WindowCpu Stop()
    {
        var machine = ProcFs.MachineCpu();
        return new WindowCpu(
            _timeProvider.GetElapsedTime(_started),
            _api.Spent(),
            _worker.Spent(),
            _postgres.Spent(),
            _redis.Spent(),
            machine.Busy - _machineBusy,
            machine.Cores);
    }
}
