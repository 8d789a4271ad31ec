using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Aspire.Hosting.ApplicationModel;
using PhonicAspire.Testing;

namespace PhonicAspire.UnitTests.Testing;

[Collection(ThisProcessListeners.Name)]
public sealed class ResourceDescriptionTests
{
    [Fact]
    public void A_running_resource_is_described_with_each_of_its_processes_and_its_scheduler_state()
    {
        var snapshot = new CustomResourceSnapshot
        {
            ResourceType = "Project",
            State = KnownResourceStates.Running,
            Properties = [new ResourcePropertySnapshot("executable.pid", Environment.ProcessId)],
        };

        var description = ResourceDescription.Of("worker", snapshot);

        Assert.StartsWith("'worker' is Running, health Healthy, exit code none, processes: ", description);
        Assert.Matches($@"processes: {Environment.ProcessId} [RSD] '[^']*dotnet[^']*'", description);
    }

    [Fact]
    public void A_resource_the_orchestrator_has_not_launched_says_so()
    {
        var snapshot = new CustomResourceSnapshot { ResourceType = "Project", Properties = ImmutableArray<ResourcePropertySnapshot>.Empty, ExitCode = 137 };

        Assert.Equal("'worker' is in no state yet, health unknown, exit code 137, processes: none launched", ResourceDescription.Of("worker", snapshot));
    }

    [Fact]
    public async Task Each_url_and_each_listening_port_is_named_with_what_a_single_get_there_gets()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var closedPort = LoopbackPorts.Free();
        var answering = AnswerAsync(listener, times: 2, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        var snapshot = new CustomResourceSnapshot
        {
            ResourceType = "Project",
            State = KnownResourceStates.Running,
            Properties = [new ResourcePropertySnapshot("executable.pid", Environment.ProcessId)],
            Urls = [new UrlSnapshot("http", $"http://localhost:{port}", IsInternal: false), new UrlSnapshot("gone", $"http://localhost:{closedPort}", IsInternal: false)],
        };

        var description = await ResourceDescription.WithProbesAsync("worker", snapshot, "/alive");
        await answering.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Contains(" listening on ", description);
        Assert.Matches($@"GET http://localhost:{port}/alive answered 200 in \d+ ms", description);
        Assert.Matches($@"GET http://127\.0\.0\.1:{port}/alive answered 200 in \d+ ms", description);
        Assert.Matches($@"GET http://localhost:{closedPort}/alive failed after \d+ ms: Connection refused", description);
    }

    private static async Task AnswerAsync(TcpListener listener, int times, string response)
    {
        for (var answered = 0; answered < times; answered++)
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var received = new StringBuilder();
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(response));
        }
    }
}
