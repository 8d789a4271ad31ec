using System.Net;
using System.Net.Sockets;

namespace PhonicAspire.Testing;

/// <summary>Free TCP ports on loopback, for servers a test or benchmark starts itself.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on right now, as the kernel picks it; another process could still take it first.</summary>
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
