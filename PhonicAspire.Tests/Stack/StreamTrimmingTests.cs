using System.Net;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// The stream is shared by consumer groups (the storage, each forwarding destination, anything an operator adds):
/// an entry leaves it only once every group is done with it, never because one group is.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class StreamTrimmingTests(PhonicStackFixture stack)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_entry_the_storage_is_done_with_stays_for_another_group_until_that_group_acknowledges_it()
    {
        var group = $"tests-observer-{Guid.NewGuid():N}";
        await stack.Redis.StreamCreateConsumerGroupAsync(WebhookStream.Name, group, StreamPosition.NewMessages);
        try
        {
            using var client = stack.CreateApiClient();
            var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
            using (var response = await client.SendAsync(webhook.ToRequest()))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            await Eventually.ReturnsAsync(() => StoredEvents.CountAsync(stack, webhook.SvixId), count => count == 1, Timeout, "the delivery to be stored");
            var entryId = (string)(await stack.Redis.StringGetAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId))!;

            var read = await stack.Redis.StreamReadGroupAsync(WebhookStream.Name, group, "observer", StreamPosition.NewMessages, count: 1000);
            var entry = Assert.Single(read, entry => entry.Id == entryId);
            Assert.Equal(webhook.SvixId, (string?)entry[WebhookStream.Fields.SvixId]);
            Assert.Single(await stack.Redis.StreamRangeAsync(WebhookStream.Name, entryId, entryId));

            // Done in this group too: the next acknowledgement of the storage trims it, as any later delivery shows.
            await stack.Redis.StreamAcknowledgeAsync(WebhookStream.Name, group, [.. read.Select(entry => entry.Id)]);
            await stack.Redis.StreamDeleteConsumerGroupAsync(WebhookStream.Name, group);
            var later = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
            using (var response = await client.SendAsync(later.ToRequest()))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            await StoredEvents.WaitUntilStoredAsync(stack, later.SvixId);
            Assert.Empty(await stack.Redis.StreamRangeAsync(WebhookStream.Name, entryId, entryId));
        }
        finally
        {
            await stack.Redis.ExecuteAsync("XGROUP", "DESTROY", WebhookStream.Name, group);
        }
    }
}
