using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// Picks a free loopback port once per AppHost run: the servers are started with it as an argument, and it stays
/// the same when an operator restarts a server from the dashboard, so clients reconnect to the same address.
/// </summary>
/// <remarks>
/// The port comes from below the kernel's ephemeral range (<c>ip_local_port_range</c>, 32768–60999 by default), never
/// from it: while a server is down for a restart, the kernel may give its port in that range to any outgoing
/// connection as a source port, and a client reconnecting to it over IPv6 loopback gets a socket connected to itself
/// (here, after 8,367 connects to a closed <c>[::1]:40000</c>). Either holds the port, and the server's restart fails
/// with "address already in use": Redis gives up even on its optional <c>-::1</c> address. Below the range, only a
/// process that binds the port on purpose can take it.
/// </remarks>
public static class LocalPorts
{
    // Above the ports well-known servers listen on by default (PostgreSQL's 5432, Redis's 6379, the 8000s).
    private const int LowestCandidate = 20_000;

    // The start of IANA's dynamic range, which Windows and macOS use as their ephemeral range.
    private const int DynamicRangeStart = 49_152;

    private const int Attempts = 200;

    /// <summary>A loopback port nothing listens on right now, outside the ephemeral range; another process could still take it first.</summary>
    public static int ReserveFree()
    {
        var candidates = (Lowest: LowestCandidate, AboveHighest: EphemeralRangeStart());
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var port = Random.Shared.Next(candidates.Lowest, candidates.AboveHighest);
            if (IsFree(IPAddress.Loopback, port) && (!Socket.OSSupportsIPv6 || IsFree(IPAddress.IPv6Loopback, port)))
            {
                return port;
            }
        }

        throw new InvalidOperationException(
            $"No free loopback port in {candidates.Lowest}–{candidates.AboveHighest - 1} (below the ephemeral range) after {Attempts} tries.");
    }

    /// <summary>The first port of the kernel's ephemeral range, or of IANA's dynamic range where the kernel does not tell.</summary>
    public static int EphemeralRangeStart()
    {
        const string RangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(RangeFile)
            && File.ReadAllText(RangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is [var first, ..]
            && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            && start > LowestCandidate)
        {
            return start;
        }

        return DynamicRangeStart;
    }

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            return false;
        }
        catch (SocketException exception) when (exception.SocketErrorCode is SocketError.AddressNotAvailable && address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // IPv6 without a loopback address: nothing can listen there.
            return true;
        }
    }
}
