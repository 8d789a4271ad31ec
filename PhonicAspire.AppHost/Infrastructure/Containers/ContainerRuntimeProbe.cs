using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace PhonicAspire.AppHost.Infrastructure.Containers;

/// <summary>Asks the configured container runtime's CLI whether its engine answers.</summary>
internal static class ContainerRuntimeProbe
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    public static bool IsAvailable(IConfiguration configuration)
    {
        // The same setting Aspire's orchestrator reads to pick the runtime.
        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";

        try
        {
            // Plain `info`, which fails when the engine does not answer, as scripts/run asks: a format naming a field
            // would ask for one runtime's own (Podman's info has no ServerVersion, and the template fails).
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }

            // Read and dropped by the process's own readers, which end with it: `info` writes a few kilobytes, and a
            // pipe nobody reads would hold it up once full.
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }

            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
