using System.Net;
using System.Net.Sockets;
using PhonicAspire.Testing;

namespace PhonicAspire.UnitTests.Testing;

[Collection(ThisProcessListeners.Name)]
public sealed class ProcFsTests
{
    [Fact]
    public void A_process_listening_port_is_found_and_a_closed_one_is_not()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;

            Assert.Contains(port, ProcFs.ListeningPorts(Environment.ProcessId));
        }

        Assert.DoesNotContain(port, ProcFs.ListeningPorts(Environment.ProcessId));
    }

    [Fact]
    public void A_process_that_is_gone_listens_on_nothing() =>
        Assert.Empty(ProcFs.ListeningPorts(int.MaxValue));
}
