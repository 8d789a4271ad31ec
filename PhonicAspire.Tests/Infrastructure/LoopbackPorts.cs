using System.Net;
using System.Net.Sockets;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>Free TCP ports on loopback, for servers a test starts itself.</summary>
public static class LoopbackPorts
{
    public static int Free()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
