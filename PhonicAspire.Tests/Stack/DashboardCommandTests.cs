using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Stack;

/// <summary>The dashboard's buttons, clicked through <see cref="ResourceCommandService"/>, judged by their effect.</summary>
[Collection(StackCollection.Name)]
public sealed class DashboardCommandTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task Send_test_webhook_stores_a_new_signed_conversation_ended()
    {
        var before = await CountTestWebhooksAsync();

        await stack.ExecuteCommandAsync("webhookapi", "send-test-webhook");

        await Eventually.ReturnsAsync(CountTestWebhooksAsync, count => count == before + 1, TimeSpan.FromSeconds(60),
            "the test webhook to be stored");
    }

    [Fact]
    public async Task Replay_dead_letters_empties_the_dead_letter_stream_and_stores_the_entries()
    {
        var webhook = SignedWebhook.FromSample(SamplePayloads.Transferred, SamplePayloads.NewConversationId());
        await stack.Redis.StreamAddAsync(WebhookStream.DeadLetterName,
        [
            new NameValueEntry(WebhookStream.Fields.SvixId, webhook.SvixId),
            new NameValueEntry(WebhookStream.Fields.EventType, "conversation.transferred"),
            new NameValueEntry(WebhookStream.Fields.ReceivedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()),
            new NameValueEntry(WebhookStream.Fields.Body, webhook.Body),
            new NameValueEntry(WebhookStream.Fields.Error, "a failure since fixed"),
            new NameValueEntry(WebhookStream.Fields.OriginalEntryId, "1-0"),
        ]);

        await stack.ExecuteCommandAsync("worker", "replay-dead-letters");

        Assert.Equal(0, await stack.Redis.StreamLengthAsync(WebhookStream.DeadLetterName));
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    [Fact]
    public Task Stream_status_answers() => stack.ExecuteCommandAsync("worker", "stream-status");

    private async Task<long> CountTestWebhooksAsync()
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM webhook_events WHERE svix_id LIKE 'msg\\_test\\_%' AND event_type = 'conversation.ended'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
