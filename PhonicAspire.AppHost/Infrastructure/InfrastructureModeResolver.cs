using Microsoft.Extensions.Configuration;
using PhonicAspire.AppHost.Infrastructure.Containers;
using PhonicAspire.AppHost.Infrastructure.Local;

namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// Chooses <see cref="InfrastructureMode"/> from the flat <c>PHONIC_INFRA</c> key (<c>containers</c>, <c>local</c>,
/// or <c>auto</c>, the default), probing the machine only when asked to choose for a run. A published deployment
/// always has containers: what the machine that publishes it has installed says nothing of where it will run.
/// </summary>
internal static class InfrastructureModeResolver
{
    public const string ConfigurationKey = "PHONIC_INFRA";

    private const string InstallHelp =
        "Install Docker (or Podman) and start it, or install the servers: `sudo apt-get install -y redis-server postgresql` " +
        "(Debian/Ubuntu), then run again; `PHONIC_INFRA=containers|local` forces a mode.";

    public static bool TryResolve(IConfiguration configuration, bool publishing, out InfrastructureMode mode, out string problem)
    {
        var requested = configuration[ConfigurationKey]?.Trim().ToLowerInvariant();
        problem = string.Empty;
        mode = InfrastructureMode.Local;

        switch (requested)
        {
            case null or "" or "auto" or "containers" when publishing:
                mode = InfrastructureMode.Containers;
                return true;
            case "local" when publishing:
                problem = "PHONIC_INFRA=local runs the machine's own servers, which a published deployment cannot have: publish without it, and the manifest has containers.";
                return false;
            case "containers":
                mode = InfrastructureMode.Containers;
                return true;
            case "local":
                if (LocalServerBinaries.TryLocate(postgresCluster: null, out _, out var missing))
                {
                    return true;
                }

                problem = $"PHONIC_INFRA=local, but {missing} was not found. {InstallHelp}";
                return false;
            case null or "" or "auto":
                if (ContainerRuntimeProbe.IsAvailable(configuration))
                {
                    mode = InfrastructureMode.Containers;
                    return true;
                }

                if (LocalServerBinaries.TryLocate(postgresCluster: null, out _, out missing))
                {
                    return true;
                }

                problem = $"No container runtime answers and {missing} is not installed. {InstallHelp}";
                return false;
            default:
                problem = $"PHONIC_INFRA='{requested}' is not a mode: use containers, local or auto.";
                return false;
        }
    }
}
