using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>
/// Picks a free loopback port once per AppHost run: the servers are started with it as an argument, and it stays
/// the same when an operator restarts a server from the dashboard, so clients reconnect to the same address.
/// </summary>
/// <remarks>
/// The port lies outside the kernel's ephemeral range (<c>ip_local_port_range</c>, 32768–60999 by default): while a
/// server is down for a restart, the kernel may give a port in that range to any outgoing connection as its source
/// port, and a client reconnecting to it over loopback may get a socket connected to itself (seen on this kind of
/// machine over <c>::1</c>, after 8,367 connects to a closed port). Either holds the port, and the server's restart
/// fails with "address already in use"; Redis gives up even when the address held is its optional <c>-::1</c>.
/// Outside the range, only a process that binds the port on purpose can take it.
/// </remarks>
public static class LocalPorts
{
    // Above the ports well-known servers listen on by default (PostgreSQL's 5432, Redis's 6379, the 8000s).
    private const int LowestCandidate = 20_000;
    private const int HighestPort = 65_535;

    // Fewer candidates than this outside the ephemeral range, and parallel stacks would keep colliding.
    private const int FewestCandidates = 1_000;

    // IANA's dynamic range, which Windows and macOS use as their ephemeral range.
    private static readonly (int First, int Last) DynamicRange = (49_152, HighestPort);

    // Ports handed out in this process: a server that is down for a restart leaves its port free, and a test running
    // beside it must not be given that port for a server of its own.
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    /// <summary>A loopback port nothing listens on right now, outside the ephemeral range and not handed out before by this process.</summary>
    public static int ReserveFree() =>
        TryFindCandidates(EphemeralRange(), out var lowest, out var aboveHighest, out var problem)
            ? ReserveFreeIn(lowest, aboveHighest)
            : throw new InvalidOperationException(problem);

    /// <summary>
    /// Where the local servers' ports are chosen from, given the kernel's ephemeral range: below it, from
    /// <see cref="LowestCandidate"/>, or above it; false, with one line to say so, when neither has room.
    /// </summary>
    public static bool TryFindCandidates((int First, int Last) ephemeral, out int lowest, out int aboveHighest, out string problem)
    {
        var (first, last) = ephemeral;
        (lowest, aboveHighest, problem) = (first - LowestCandidate >= FewestCandidates, HighestPort - last >= FewestCandidates) switch
        {
            (true, _) => (LowestCandidate, first, string.Empty),
            (_, true) => (last + 1, HighestPort + 1, string.Empty),
            _ => (0, 0, $"The kernel's ephemeral port range ({first}–{last}) leaves fewer than {FewestCandidates} ports of "
                + $"{LowestCandidate}–{HighestPort} below it or above it for the local Redis and PostgreSQL: narrow net.ipv4.ip_local_port_range (sysctl), or run "
                + "them in containers (PHONIC_INFRA=containers)."),
        };

        return problem.Length == 0;
    }

    /// <summary>
    /// A port from <paramref name="lowest"/> up to, not including, <paramref name="aboveHighest"/>, free on both
    /// loopback addresses and not handed out before by this process; tried in turn from a random one, so that AppHosts
    /// started at once seldom try the same.
    /// </summary>
    public static int ReserveFreeIn(int lowest, int aboveHighest)
    {
        var count = aboveHighest - lowest;
        var offset = Random.Shared.Next(count);
        for (var tried = 0; tried < count; tried++)
        {
            var port = lowest + ((offset + tried) % count);
            if (IsFree(IPAddress.Loopback, port) && (!Socket.OSSupportsIPv6 || IsFree(IPAddress.IPv6Loopback, port))
                && HandedOut.TryAdd(port, true))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free loopback port in {lowest}–{aboveHighest - 1}.");
    }

    /// <summary>The kernel's ephemeral port range, or IANA's dynamic range where the kernel does not tell (not Linux).</summary>
    public static (int First, int Last) EphemeralRange()
    {
        const string RangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
        return File.Exists(RangeFile)
            && File.ReadAllText(RangeFile).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is [var first, var last]
            && int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var firstPort)
            && int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var lastPort)
                ? (firstPort, lastPort)
                : DynamicRange;
    }

    private static bool IsFree(IPAddress address, int port)
    {
        try
        {
            // Bound as the servers bind (on Unix .NET sets SO_REUSEADDR, as redis-server, postgres and Kestrel do), so
            // connections left in TIME_WAIT do not count and a listener does.
            using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(address, port));
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
