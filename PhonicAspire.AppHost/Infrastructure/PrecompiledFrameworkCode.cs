namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// Whether a service runs the framework's precompiled (ReadyToRun) code. That code (System.Text.Json, and the UTF-8
/// and span code under it) is compiled ahead of time for any x64 processor; tiered compilation replaces it with code
/// the JIT compiles for the processor at hand once it is hot, but the worker runs without tiering (see its project),
/// so there it would run for good. Without it, the JIT compiles those methods too, as it does the worker's own code
/// and its packages'.
/// </summary>
internal static class PrecompiledFrameworkCode
{
    // The runtime reads this switch from the environment only: a console probe with ReadyToRun or
    // System.Runtime.ReadyToRun set to 0 in its runtimeconfig JIT-compiled 12 methods to parse a body, with the
    // variable 213.
    private const string ReadyToRunVariable = "DOTNET_ReadyToRun";

    /// <summary>
    /// Measured on 2 cores (docs/benchmarks.md, Drain, the framework's precompiled code): parsing Phonic's ended
    /// sample and writing its staged update took 97 µs with the precompiled code and 58 µs without; in alternating
    /// pairs of <c>scripts/bench --only drain</c>, the worker's CPU an event 178 and 196 µs against 244 and 239 µs, its
    /// peaks no higher. Tiered compilation instead (quick JIT and dynamic PGO off), which replaces hot precompiled
    /// code, cost more than it saved in a drain of 20,000 entries.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithoutPrecompiledFrameworkCode(this IResourceBuilder<ProjectResource> service) =>
        service.WithEnvironment(ReadyToRunVariable, "0");
}
