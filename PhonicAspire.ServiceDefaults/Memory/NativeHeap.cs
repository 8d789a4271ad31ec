using System.Runtime.InteropServices;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// How this process's native heap (glibc's malloc) hands memory back to the system.
/// </summary>
public static class NativeHeap
{
    // mallopt's parameter number for the size from which an allocation gets its own mapping (malloc.h).
    private const int MmapThresholdParameter = -3;
    private const int MmapThresholdBytes = 64 * 1024;

    /// <summary>
    /// Gives every native allocation of 64 KiB or more its own mapping, returned to the system when it is freed.
    /// By default glibc maps only blocks of 128 KiB or more, and raises that bound to the size of each mapped block
    /// freed, so the JIT's working memory (15 MB at its peak while a service starts and compiles its paths) is carved
    /// from the heap, and once freed stays resident behind the smaller blocks allocated after it. Measured with the
    /// worker at rest (Release, Production, 25 s after start, three alternating pairs): a 17.2-17.3 MB heap of which
    /// 3.5 MB was live (heaptrack), the process at 116.4-119.2 MB; with this threshold, a 3.1 MB heap and 101.4-104.6 MB.
    /// Call it first thing in Main: it applies to the allocations made after it. Where the C library is not glibc, its
    /// own policy stands.
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
        catch (EntryPointNotFoundException)
        {
            // A C library without mallopt (musl exports it as a stub; others may not at all): its own policy stands.
        }
        catch (DllNotFoundException)
        {
        }
    }

    // DllImport rather than LibraryImport: the arguments are plain ints, so there is nothing to generate, and the
    // project needs no unsafe code for it.
    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int SetMallocOption(int parameter, int value);
}
