using System.Diagnostics;
using System.Net;
using PhonicAspire.Tests.Infrastructure;

namespace PhonicAspire.Tests.Stack;

[Collection(StackCollection.Name)]
public sealed class GracefulShutdownTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task Worker_stops_promptly_from_the_dashboard_and_stores_what_arrived_while_it_was_stopped()
    {
        using var client = stack.CreateApiClient();

        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        var stopping = Stopwatch.StartNew();
        await using (await stack.StopAsync("worker"))
        {
            stopping.Stop();
            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"stopping the worker took {stopping.Elapsed.TotalSeconds:0.0} s");

            using var response = await client.SendAsync(webhook.ToRequest());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(0, await StoredEvents.CountAsync(stack, webhook.SvixId));
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }
}
