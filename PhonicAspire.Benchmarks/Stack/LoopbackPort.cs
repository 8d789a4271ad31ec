using System.Net;
using System.Net.Sockets;

namespace PhonicAspire.Benchmarks.Stack;

public static class LoopbackPort
{
    /// <summary>A port nothing listens on right now, as the kernel picks it; another process could still take it first.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
