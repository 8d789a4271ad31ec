namespace PhonicAspire.Testing;

/// <summary>The machine's CPU as <see cref="ProcFs.MachineCpu"/> reads it.</summary>
/// <param name="Busy">Every core's busy time since boot, together.</param>
/// <param name="Cores">The cores Linux counts, whatever this process's affinity or container allows it.</param>
public readonly record struct MachineCpuTime(TimeSpan Busy, int Cores);
