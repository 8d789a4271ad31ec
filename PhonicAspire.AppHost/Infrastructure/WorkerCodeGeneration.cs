namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// How the worker's machine code is made. It runs without tiered compilation (see its project), so each method is
/// compiled once and kept; but the framework's own methods (System.Text.Json, the UTF-8 and span code under it) come
/// precompiled (ReadyToRun) for any x64 processor, and without tiering that code is never replaced. With the switch
/// off, the JIT compiles them for this processor, as it does the worker's own code and its packages'.
/// </summary>
internal static class WorkerCodeGeneration
{
    // The runtime reads this switch from the environment only: a runtimeconfig property of the same name is ignored
    // (a console probe JIT-compiled 12 methods with either spelling in its runtimeconfig, 213 with the variable).
    private const string ReadyToRunVariable = "DOTNET_ReadyToRun";

    /// <summary>
    /// Measured on 2 cores (docs/benchmarks.md, Drain, the framework's precompiled code): parsing and re-encoding
    /// Phonic's ended sample took 97 µs with the precompiled code and 58 µs without; in two alternating pairs of
    /// <c>scripts/bench --only drain</c>, the worker's CPU an event 178 and 196 µs against 244 and 239 µs, its peaks
    /// no higher. Tiered compilation instead (which would replace hot precompiled code) cost more than it saved
    /// in a drain of 20,000 entries.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithFrameworkCompiledForThisProcessor(this IResourceBuilder<ProjectResource> worker) =>
        worker.WithEnvironment(ReadyToRunVariable, "0");
}
