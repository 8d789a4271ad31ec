using PhonicAspire.AppHost.Infrastructure.Local;

namespace PhonicAspire.Testing;

/// <summary>Free TCP ports on loopback, for servers a test or benchmark starts itself.</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// A port nothing listens on right now, chosen as the AppHost chooses its servers' (<see cref="LocalPorts"/>):
    /// outside the ephemeral range and never handed out twice in this process, so no outgoing connection and no other
    /// test can take it while a server a test stopped is down.
    /// </summary>
    public static int Free() => LocalPorts.ReserveFree();
}
