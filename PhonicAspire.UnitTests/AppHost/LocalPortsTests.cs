using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PhonicAspire.AppHost.Infrastructure.Local;
using PhonicAspire.UnitTests.Testing;

namespace PhonicAspire.UnitTests.AppHost;

[Collection(ThisProcessListeners.Name)]
public sealed class LocalPortsTests
{
    [Fact]
    public void A_local_servers_port_lies_outside_the_kernels_ephemeral_range_so_no_outgoing_connection_takes_it_while_the_server_restarts()
    {
        var (first, last) = LocalPorts.EphemeralRange();

        var ports = Enumerable.Range(0, 50).Select(_ => LocalPorts.ReserveFree()).ToArray();

        Assert.All(ports, port => Assert.True(port is >= 1024 and <= 65_535 && (port < first || port > last), $"{port} is in {first}–{last}"));
    }

    [Fact]
    public void The_ephemeral_range_is_the_kernels_own()
    {
        var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(
            (int.Parse(range[0], CultureInfo.InvariantCulture), int.Parse(range[1], CultureInfo.InvariantCulture)),
            LocalPorts.EphemeralRange());
    }

    [Theory]
    [InlineData(32_768, 60_999, 20_000, 32_768)]
    [InlineData(10_000, 20_500, 20_501, 65_536)]
    public void The_servers_ports_are_chosen_below_the_ephemeral_range_or_else_above_it(int first, int last, int lowest, int aboveHighest)
    {
        Assert.True(LocalPorts.TryFindCandidates((first, last), out var chosenLowest, out var chosenAboveHighest, out var problem), problem);

        Assert.Equal((lowest, aboveHighest), (chosenLowest, chosenAboveHighest));
    }

    [Fact]
    public void An_ephemeral_range_that_leaves_no_room_for_the_servers_is_refused_in_one_line_that_says_what_to_change()
    {
        // A common tuning for servers that open many connections.
        Assert.False(LocalPorts.TryFindCandidates((1024, 65_535), out _, out _, out var problem));

        Assert.DoesNotContain("\n", problem, StringComparison.Ordinal);
        Assert.Contains("(1024–65535)", problem, StringComparison.Ordinal);
        Assert.Contains("net.ipv4.ip_local_port_range", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void A_port_something_listens_on_over_either_loopback_address_alone_is_not_handed_out(string loopback)
    {
        var port = FreePortNotHandedOut();
        using var listener = new TcpListener(IPAddress.Parse(loopback), port);
        try
        {
            listener.Start();
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
        {
            // No IPv6 loopback on this machine: nothing can listen there, and LocalPorts does not ask.
            return;
        }

        Assert.Throws<InvalidOperationException>(() => LocalPorts.ReserveFreeIn(port, port + 1));
    }

    [Fact]
    public void A_port_handed_out_once_is_not_handed_out_again_in_the_same_process()
    {
        var port = LocalPorts.ReserveFree();

        Assert.Throws<InvalidOperationException>(() => LocalPorts.ReserveFreeIn(port, port + 1));
    }

    [Fact]
    public void A_free_port_not_handed_out_before_is_handed_out()
    {
        var port = FreePortNotHandedOut();

        Assert.Equal(port, LocalPorts.ReserveFreeIn(port, port + 1));
    }

    // The kernel's own pick, in the ephemeral range, which LocalPorts never hands out: free, and not handed out before.
    private static int FreePortNotHandedOut()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
