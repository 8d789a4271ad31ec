using System.Net;
using System.Net.Sockets;
using PhonicAspire.AppHost.Infrastructure.Local;

namespace PhonicAspire.UnitTests.AppHost;

public sealed class LocalPortsTests
{
    [Fact]
    public void A_local_servers_port_lies_below_the_kernels_ephemeral_range_so_no_outgoing_connection_takes_it_while_the_server_restarts()
    {
        var ephemeralStart = LocalPorts.EphemeralRangeStart();

        var ports = Enumerable.Range(0, 50).Select(_ => LocalPorts.ReserveFree()).ToArray();

        Assert.All(ports, port => Assert.InRange(port, 1024, ephemeralStart - 1));
    }

    [Fact]
    public void The_ephemeral_range_is_the_kernels_own()
    {
        var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(int.Parse(range[0]), LocalPorts.EphemeralRangeStart());
    }

    [Fact]
    public void A_reserved_port_is_free_on_both_loopback_addresses()
    {
        var port = LocalPorts.ReserveFree();

        using var ipv4 = new TcpListener(IPAddress.Loopback, port);
        Assert.Null(Record.Exception(ipv4.Start));
        if (Socket.OSSupportsIPv6)
        {
            using var ipv6 = new TcpListener(IPAddress.IPv6Loopback, port);
            Assert.Null(Record.Exception(ipv6.Start));
        }
    }
}
