using System.Globalization;
using System.Runtime.InteropServices;

namespace PhonicAspire.Benchmarks.Reporting;

/// <summary>One line saying what the numbers were measured on, including how busy the machine already was.</summary>
public static class MachineDescription
{
    public static string Describe()
    {
        var model = File.ReadLines("/proc/cpuinfo")
            .FirstOrDefault(line => line.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memoryKilobytes = long.Parse(
            File.ReadLines("/proc/meminfo").First(line => line.StartsWith("MemTotal:", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
            CultureInfo.InvariantCulture);
        var load = string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        return $"{Environment.ProcessorCount} × {model}, {memoryKilobytes / 1024.0 / 1024.0:F1} GiB RAM, "
            + $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, load average at start {load}";
    }
}
