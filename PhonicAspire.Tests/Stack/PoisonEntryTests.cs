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

    [Fact]
    public async Task An_entry_whose_workers_keep_dying_is_dead_lettered_once_reclaimed()
    {
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());

        // Atomically: append, hand to a consumer that will never acknowledge, and make it look delivered ten times
        // and long idle, as an entry that crashed ten workers in a row would be.
        var entryId = (string?)await stack.Redis.ScriptEvaluateAsync(
            """
            local id = redis.call('XADD', KEYS[1], '*', 'svix_id', ARGV[1], 'event_type', 'test', 'received_at', ARGV[2], 'body', ARGV[3])
            redis.call('XREADGROUP', 'GROUP', ARGV[4], 'ghost-consumer', 'COUNT', 10000, 'STREAMS', KEYS[1], '>')
            redis.call('XCLAIM', KEYS[1], ARGV[4], 'ghost-consumer', 0, id, 'IDLE', 3600000, 'RETRYCOUNT', 10)
            return id
            """,
            [WebhookStream.Name],
            [webhook.SvixId, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), webhook.Body, WebhookStream.ConsumerGroup]);

        var deadLetters = await Eventually.ReturnsAsync(
            () => stack.Redis.StreamRangeAsync(WebhookStream.DeadLetterName),
            entries => entries.Any(entry => entry[WebhookStream.Fields.OriginalEntryId] == entryId),
            TimeSpan.FromSeconds(30), "the crashing entry to be dead-lettered");
        var deadLetter = Assert.Single(deadLetters, entry => entry[WebhookStream.Fields.OriginalEntryId] == entryId);
        Assert.Contains("times without being stored", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
        Assert.Equal(0, await StoredEvents.CountAsync(stack, webhook.SvixId));

        await stack.Redis.StreamDeleteAsync(WebhookStream.DeadLetterName, [deadLetter.Id]);
    }

    private Task AddAsync(SignedWebhook webhook) => stack.Redis.StreamAddAsync(WebhookStream.Name,
    [
        new NameValueEntry(WebhookStream.Fields.SvixId, webhook.SvixId),
        new NameValueEntry(WebhookStream.Fields.EventType, "test"),
        new NameValueEntry(WebhookStream.Fields.ReceivedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
        new NameValueEntry(WebhookStream.Fields.Body, webhook.Body),
    ]);
}
