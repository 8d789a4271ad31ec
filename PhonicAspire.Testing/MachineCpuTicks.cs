namespace PhonicAspire.Testing;

/// <summary>The machine's CPU time, all cores together, in Linux's ticks (100 a second), as <see cref="ProcFs.MachineCpu"/> reads it.</summary>
/// <param name="Idle">Ticks no core had work for, or a core waited for I/O.</param>
/// <param name="Busy">Every other tick.</param>
public readonly record struct MachineCpuTicks(long Idle, long Busy);
