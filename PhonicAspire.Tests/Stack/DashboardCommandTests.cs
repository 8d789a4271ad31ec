using System.Net.Http.Json;
using System.Text.Json;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Stack;

/// <summary>The dashboard's buttons, clicked through <see cref="ResourceCommandService"/>, judged by their effect.</summary>
[Collection(StackCollection.Name)]
public sealed class DashboardCommandTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task A_replay_button_redis_refuses_fails_with_the_workers_reason_and_how_far_it_got()
    {
        // The dead-letter key overwritten by hand: every replay fails with Redis's WRONGTYPE.
        await using (await DeadLetters.OverwriteWithStringAsync(stack.Redis))
        {
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => stack.ExecuteCommandAsync("worker", "replay-dead-letters"));

            Assert.Contains("Replayed 0 dead letter(s), then RedisServerException (WRONGTYPE) from Redis", failure.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Send_test_webhook_stores_a_new_signed_conversation_ended()
    {
        var before = await StoredEvents.CountTestWebhooksAsync(stack, PhonicEventTypes.ConversationEnded);

        await stack.ExecuteCommandAsync("webhookapi", "send-test-webhook");

        await Eventually.ReturnsAsync(() => StoredEvents.CountTestWebhooksAsync(stack, PhonicEventTypes.ConversationEnded), count => count == before + 1, TimeSpan.FromSeconds(60),
            "the test webhook to be stored");
    }

    [Fact]
    public async Task Replay_dead_letters_moves_a_dead_letter_back_and_stores_it()
    {
        var webhook = SignedWebhook.FromSample(SamplePayloads.Transferred, SamplePayloads.NewConversationId());
        await DeadLetters.AddAsync(stack.Redis, webhook, "conversation.transferred", "a failure since fixed");

        await stack.ExecuteCommandAsync("worker", "replay-dead-letters");

        Assert.DoesNotContain(await stack.Redis.StreamRangeAsync(WebhookStream.DeadLetterName),
            entry => entry[WebhookStream.Fields.SvixId] == webhook.SvixId);
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    [Fact]
    public async Task Replay_dead_letters_moves_back_every_dead_letter_more_than_ten_thousand_too()
    {
        // The button says every one. Bodies of two bytes, so that storing them costs the shared stack little.
        const int Count = 10_001;
        var svixIdPrefix = $"msg_replay_all_{Guid.NewGuid():N}_";
        await stack.Redis.ScriptEvaluateAsync(
            """
            for i = 1, tonumber(ARGV[1]) do
                redis.call('XADD', KEYS[1], '*', ARGV[2], ARGV[3] .. i, ARGV[4], '{}', ARGV[5], ARGV[6], ARGV[7], 'a failure since fixed', ARGV[8], '1-0')
            end
            """,
            [WebhookStream.DeadLetterName],
            [
                Count, WebhookStream.Fields.SvixId, svixIdPrefix, WebhookStream.Fields.Body, WebhookStream.Fields.ReceivedAt,
                DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), WebhookStream.Fields.Error, WebhookStream.Fields.OriginalEntryId,
            ]);

        try
        {
            await stack.ExecuteCommandAsync("worker", "replay-dead-letters");

            Assert.Empty(await OwnDeadLetterIdsAsync(svixIdPrefix));

            // Every one stored and acknowledged, so that none is still being stored, and counted in the worker's
            // metrics, while the collection's next test measures them.
            string[] svixIds = [.. Enumerable.Range(1, Count).Select(i => svixIdPrefix + i)];
            await Eventually.ReturnsAsync(() => StoredEvents.CountAsync(stack, svixIds), stored => stored == Count, TimeSpan.FromSeconds(120),
                "every replayed dead letter to be stored");
            await Eventually.ReturnsAsync(
                async () => (await stack.Redis.StreamRangeAsync(WebhookStream.Name)).Count(entry => HasSvixIdPrefix(entry, svixIdPrefix)),
                left => left == 0, TimeSpan.FromSeconds(60), "every replayed dead letter's entry to leave the stream");
        }
        finally
        {
            if (await OwnDeadLetterIdsAsync(svixIdPrefix) is { Length: > 0 } left)
            {
                await stack.Redis.StreamDeleteAsync(WebhookStream.DeadLetterName, left);
            }
        }
    }

    private async Task<RedisValue[]> OwnDeadLetterIdsAsync(string svixIdPrefix) =>
    [
        .. (await stack.Redis.StreamRangeAsync(WebhookStream.DeadLetterName))
            .Where(entry => HasSvixIdPrefix(entry, svixIdPrefix))
            .Select(entry => entry.Id),
    ];

    private static bool HasSvixIdPrefix(StreamEntry entry, string svixIdPrefix) =>
        ((string?)entry[WebhookStream.Fields.SvixId])?.StartsWith(svixIdPrefix, StringComparison.Ordinal) == true;

    [Fact]
    public async Task Stream_status_reports_the_streams_length_pending_entries_and_dead_letters_as_redis_has_them()
    {
        await stack.ExecuteCommandAsync("worker", "stream-status");

        // Two dead letters of this test's own, so the count it checks is not a zero any broken answer would give.
        var deadLetterIds = new List<RedisValue>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                deadLetterIds.Add(await stack.Redis.StreamAddAsync(WebhookStream.DeadLetterName,
                    [new NameValueEntry(WebhookStream.Fields.Error, "stream status test"), new NameValueEntry(WebhookStream.Fields.OriginalEntryId, "1-0")]));
            }

            using var client = stack.CreateOperatorClient("worker");
            var (reported, actual) = await Eventually.ReturnsAsync(
                async () =>
                {
                    var before = await ReadStreamAsync();
                    using var response = await client.PostAsync("/admin/stream-status", content: null);
                    response.EnsureSuccessStatusCode();
                    var status = (await response.Content.ReadFromJsonAsync<JsonElement>())!;
                    var reported = new StreamNumbers(status.GetProperty("length").GetInt64(), status.GetProperty("pending").GetInt64(),
                        status.GetProperty("deadLetters").GetInt64());
                    return (reported, before == await ReadStreamAsync() ? before : null);
                },
                answer => answer.Item2 is not null, TimeSpan.FromSeconds(30), "the stream to hold still while its status is read");

            Assert.Equal(actual, reported);
            Assert.True(reported.DeadLetters >= 2, $"{reported.DeadLetters} dead letters reported");
        }
        finally
        {
            await stack.Redis.StreamDeleteAsync(WebhookStream.DeadLetterName, [.. deadLetterIds]);
        }
    }

    private sealed record StreamNumbers(long Length, long Pending, long DeadLetters);

    private async Task<StreamNumbers> ReadStreamAsync() => new(
        await stack.Redis.StreamLengthAsync(WebhookStream.Name),
        (await stack.Redis.StreamPendingAsync(WebhookStream.Name, WebhookStream.ConsumerGroup)).PendingMessageCount,
        await stack.Redis.StreamLengthAsync(WebhookStream.DeadLetterName));
}
