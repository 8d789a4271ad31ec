using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks.Svix;
using Xunit.Abstractions;

namespace PhonicAspire.Tests.Stack;

/// <summary>Clients that announce large bodies and stall cost the API a bounded amount of memory, and real deliveries still get in.</summary>
[Collection(StackCollection.Name)]
public sealed class HostileMemoryTests(PhonicStackFixture stack, ITestOutputHelper output)
{
    private const int Connections = 300;
    private const int Announced = 2 * 1024 * 1024;
    private const int Sent = 1024 * 1024;
    private const long RssBudget = 150L * 1024 * 1024;
    private static readonly TimeSpan HalvesSentTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_hundred_stalled_two_mebibyte_bodies_raise_the_apis_memory_by_less_than_150_MB_and_a_real_delivery_gets_in_within_a_second()
    {
        var endpoint = stack.App.GetEndpoint("webhookapi", "http");
        var before = ResourceProcesses.ServiceResidentBytes(stack.App, "webhookapi", "PhonicAspire.WebhookApi");
        var stalled = new List<TcpClient>(Connections);
        using var stopSending = new CancellationTokenSource();
        try
        {
            var sending = new List<Task>(Connections);
            var halvesSent = new List<Task>(Connections);
            for (var i = 0; i < Connections; i++)
            {
                var client = new TcpClient();
                stalled.Add(client);
                await client.ConnectAsync(endpoint.Host, endpoint.Port);
                var halfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                halvesSent.Add(halfSent.Task);
                sending.Add(SendHalfAndStallAsync(client, endpoint.Authority, halfSent, stopSending.Token));
            }

            // Whatever the API takes in while the half bodies are being sent, and a real delivery in the middle of it.
            var peak = before;
            var measuring = Stopwatch.StartNew();
            using var api = stack.CreateApiClient();
            var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
            var delivery = Stopwatch.StartNew();
            using (var response = await api.SendAsync(webhook.ToRequest()))
            {
                delivery.Stop();
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            // Until every half body is written (or refused), and a second after, for the API to have taken it in.
            var allHalvesSent = Task.WhenAll(halvesSent);
            TimeSpan? halvesSentAt = null;
            while (measuring.Elapsed < (halvesSentAt + TimeSpan.FromSeconds(1) ?? HalvesSentTimeout))
            {
                peak = Math.Max(peak, ResourceProcesses.ServiceResidentBytes(stack.App, "webhookapi", "PhonicAspire.WebhookApi"));
                if (allHalvesSent.IsCompleted)
                {
                    halvesSentAt ??= measuring.Elapsed;
                }

                await Task.Delay(100);
            }

            Assert.True(allHalvesSent.IsCompleted, $"the half bodies were not all written within {HalvesSentTimeout.TotalSeconds:0} s");
            output.WriteLine($"API RSS {before / 1048576} MB before, peak {peak / 1048576} MB with {Connections} stalled bodies; " +
                $"the real delivery was acknowledged in {delivery.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(delivery.Elapsed < TimeSpan.FromSeconds(1), $"the real delivery took {delivery.Elapsed.TotalMilliseconds:0} ms");
            Assert.True(peak - before < RssBudget, $"the API's RSS rose by {(peak - before) / 1048576} MB");
            await stopSending.CancelAsync();
            await Task.WhenAll(sending).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await stopSending.CancelAsync();
            foreach (var client in stalled)
            {
                client.Dispose();
            }
        }
    }

    // Headers of a correctly signed-looking delivery announcing 2 MiB, then 1 MiB of it, then nothing.
    private static async Task SendHalfAndStallAsync(TcpClient client, string authority, TaskCompletionSource halfSent, CancellationToken stop)
    {
        var svixId = SignedWebhook.NewSvixId();
        var head = $"POST {SignedWebhook.Route} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\n" +
            $"Content-Length: {Announced}\r\n{SvixHeaders.Id}: {svixId}\r\n{SvixHeaders.Timestamp}: {DateTimeOffset.UtcNow.ToUnixTimeSeconds()}\r\n" +
            $"{SvixHeaders.Signature}: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=\r\n\r\n";
        try
        {
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), stop);
            var chunk = new byte[64 * 1024];
            chunk.AsSpan().Fill((byte)' ');
            for (var sent = 0; sent < Sent; sent += chunk.Length)
            {
                await stream.WriteAsync(chunk, stop);
            }

            halfSent.TrySetResult();
            await Task.Delay(Timeout.Infinite, stop);
        }
        catch (Exception ended) when (ended is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Refused and closed by the API, or stopped by the test.
            halfSent.TrySetResult();
        }
    }
}
