using System.Net;
using System.Net.Sockets;

namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// Picks a free loopback port once per AppHost run: the servers are started with it as an argument, and it stays
/// the same when an operator restarts a server from the dashboard, so clients reconnect to the same address.
/// </summary>
internal static class LocalPorts
{
    public static int ReserveFree()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
