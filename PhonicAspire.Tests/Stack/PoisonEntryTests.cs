using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Stack;

[Collection(StackCollection.Name)]
public sealed class PoisonEntryTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task A_poison_entry_is_dead_lettered_with_its_reason_and_the_rest_are_stored()
    {
        var before = stack.Redis.StreamRange(WebhookStream.DeadLetterName).Length;
        var first = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        var last = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
        var poisonMarker = Guid.NewGuid().ToString("N");

        await AddAsync(first);
        await stack.Redis.StreamAddAsync(WebhookStream.Name, [new NameValueEntry("garbage", poisonMarker)]);
        await AddAsync(last);

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, first.SvixId));
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, last.SvixId));

        var deadLetters = await Eventually.ReturnsAsync(
            () => stack.Redis.StreamRangeAsync(WebhookStream.DeadLetterName),
            entries => entries.Length > before, TimeSpan.FromSeconds(30), "the poison entry to be dead-lettered");
        var poison = Assert.Single(deadLetters, entry => entry["garbage"] == poisonMarker);
        Assert.Contains("malformed", (string?)poison[WebhookStream.Fields.Error], StringComparison.Ordinal);
        Assert.False(poison[WebhookStream.Fields.OriginalEntryId].IsNullOrEmpty);

        await stack.Redis.StreamDeleteAsync(WebhookStream.DeadLetterName, [poison.Id]);
    }

    private Task AddAsync(SignedWebhook webhook) => stack.Redis.StreamAddAsync(WebhookStream.Name,
    [
        new NameValueEntry(WebhookStream.Fields.SvixId, webhook.SvixId),
        new NameValueEntry(WebhookStream.Fields.EventType, "test"),
        new NameValueEntry(WebhookStream.Fields.ReceivedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        new NameValueEntry(WebhookStream.Fields.Body, webhook.Body),
    ]);
}
