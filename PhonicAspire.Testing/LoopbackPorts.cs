using PhonicAspire.AppHost.Infrastructure.Local;

namespace PhonicAspire.Testing;

/// <summary>Free TCP ports on loopback, for servers a test or benchmark starts itself.</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// A port nothing listens on right now, chosen as the AppHost chooses its servers' (<see cref="LocalPorts"/>):
    /// outside the ephemeral range, so a server a test stops and starts again finds its port free.
    /// </summary>
    public static int Free() => LocalPorts.ReserveFree();
}
