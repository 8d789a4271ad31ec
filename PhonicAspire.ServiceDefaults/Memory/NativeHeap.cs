using System.Runtime.InteropServices;

namespace PhonicAspire.ServiceDefaults.Memory;

/// <summary>
/// How this process's native heap (glibc's malloc) hands memory back to the system.
/// </summary>
public static class NativeHeap
{
    // mallopt's parameter number for the size from which a block may get a mapping of its own (glibc's malloc.h).
    private const int MmapThresholdParameter = -3;
    private const int MmapThresholdBytes = 64 * 1024;

    /// <summary>
    /// Lets native blocks of 64 KiB or more that the heap has no free room for get mappings of their own, which free()
    /// returns to the system. By default glibc does so only from 128 KiB, and raises that bound (and the one above
    /// which it trims the heap's top) to the size of each mapped block freed, so the JIT's working memory while a
    /// service starts and compiles its paths, about 15 MB, was carved from the heap and stayed resident once freed,
    /// behind the smaller blocks allocated after it: a worker at rest held a 17 MB heap with 3.5 MB of it live. Fixing
    /// the bound also keeps the trim bound at its 128 KiB default. Measured in docs/benchmarks.md (Memory, the native
    /// heap): the heap 3 MB, the worker 15 MB smaller at rest. Call it first thing in Main: it applies to the blocks
    /// allocated after it. Where the C library is not glibc (musl has no mallopt), its own policy stands.
    /// </summary>
    public static void ReturnLargeBlocksWhenFreed()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            _ = SetMallocOption(MmapThresholdParameter, MmapThresholdBytes);
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
        {
            // A C library without mallopt: nothing to set.
        }
    }

    // DllImport rather than LibraryImport: the arguments are plain ints, so there is nothing to generate, and the
    // project needs no unsafe code for it.
    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int SetMallocOption(int parameter, int value);
}
