namespace PhonicAspire.Testing;

/// <summary>The machine's CPU time, all cores together, as <see cref="ProcFs.MachineCpu"/> reads it.</summary>
/// <param name="Idle">Time no core had work for, or a core waited for I/O.</param>
/// <param name="Busy">The rest.</param>
public readonly record struct MachineCpuTime(TimeSpan Idle, TimeSpan Busy);
