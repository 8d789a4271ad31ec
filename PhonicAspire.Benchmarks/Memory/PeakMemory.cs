using PhonicAspire.Benchmarks.Stack;
using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Memory;

/// <summary>The peak resident set (VmHWM) of the real service processes, not of their <c>dotnet run</c> launchers.</summary>
public sealed class PeakMemory(ServiceProcesses processes)
{
    public ServiceMemory Read(string resource, string assemblyName)
    {
        var pid = processes.ServiceOf(resource, assemblyName);
        return new ServiceMemory(pid, ProcFs.StatusKilobytes(pid, "VmHWM") * 1024);
    }
}

public sealed record ServiceMemory(int ProcessId, long PeakBytes);
