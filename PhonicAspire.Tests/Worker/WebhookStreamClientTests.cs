using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Worker;

/// <summary>
/// What operators run against the stream (the command line, the dashboard's commands) stops when they cancel it and
/// measures what it can of a stream whose keys were damaged by hand, on a real Redis.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class WebhookStreamClientTests(PhonicStackFixture stack) : IAsyncLifetime
{
    private readonly string _deadLetters = $"tests:dead-letters:{Guid.NewGuid():N}";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => stack.Redis.KeyDeleteAsync(_deadLetters);

    [Fact]
    public async Task Listing_dead_letters_stops_at_the_page_after_its_token_is_cancelled()
    {
        for (var i = 0; i < 250; i++)
        {
            await stack.Redis.StreamAddAsync(_deadLetters, [new(WebhookStream.Fields.SvixId, $"msg_{i}"), new(WebhookStream.Fields.Error, "test")]);
        }

        var client = new WebhookStreamClient(stack.Redis.Multiplexer, TimeProvider.System);
        using var cancelled = new CancellationTokenSource();
        var listed = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in client.ListDeadLettersAsync(DeadLetterFilter.All, _deadLetters).WithCancellation(cancelled.Token))
            {
                listed++;
                await cancelled.CancelAsync();
            }
        });

        // The page in hand is listed; no other page is read.
        Assert.InRange(listed, 1, 100);
    }

    [Fact]
    public async Task A_requeue_whose_stored_events_stop_coming_says_how_many_it_had_appended()
    {
        var webhooks = Enumerable.Range(0, 3).Select(_ => SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId())).ToArray();
        var client = new WebhookStreamClient(stack.Redis.Multiplexer, TimeProvider.System);

        var stopped = await Assert.ThrowsAsync<RequeueStoppedException>(() => client.RequeueAsync(ReadThenLoseTheDatabase(webhooks), CancellationToken.None));

        Assert.Equal(webhooks.Length, stopped.Requeued);
        Assert.IsType<NpgsqlException>(stopped.InnerException);
        // Appended whole: the worker stores each like any other delivery.
        foreach (var webhook in webhooks)
        {
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        }
    }

    // As a read of stored events does when PostgreSQL goes away part-way.
    private static async IAsyncEnumerable<QueuedDelivery> ReadThenLoseTheDatabase(SignedWebhook[] webhooks)
    {
        foreach (var webhook in webhooks)
        {
            await Task.Yield();
            yield return new QueuedDelivery(webhook.SvixId, "conversation.ended", null, DateTimeOffset.UtcNow, webhook.Body);
        }

        throw new NpgsqlException("Exception while reading from stream");
    }

    [Fact]
    public async Task A_replay_cancelled_before_it_starts_moves_nothing()
    {
        var webhooks = Enumerable.Range(0, 250).Select(_ => SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId())).ToArray();
        foreach (var webhook in webhooks)
        {
            await AddDeadLetterAsync(webhook);
        }

        var client = new WebhookStreamClient(stack.Redis.Multiplexer, TimeProvider.System);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => client.ReplayDeadLettersAsync(DeadLetterFilter.All, _deadLetters, cancelled.Token));

        // A regression replays valid webhooks into the stack's stream, which stores them like any other.
        Assert.Equal(webhooks.Length, await stack.Redis.StreamLengthAsync(_deadLetters));
    }

    [Fact]
    public async Task A_replay_takes_only_the_dead_letters_there_when_it_started_not_those_added_while_it_runs()
    {
        // Two pages of the replay's 100.
        var webhooks = Enumerable.Range(0, 150).Select(_ => SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId())).ToArray();
        foreach (var webhook in webhooks)
        {
            await AddDeadLetterAsync(webhook);
        }

        // As a destination that refuses again, or a poison entry stored again, adds its dead letter back at once:
        // here between the first page and the second.
        var late = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        var scripts = 0;
        var redis = InterceptedRedis.Around(stack.Redis.Multiplexer, command =>
        {
            if (command.Name == nameof(IDatabase.ScriptEvaluateAsync) && Interlocked.Increment(ref scripts) == 2)
            {
                stack.Redis.StreamAdd(_deadLetters, DeadLetterFields(late));
            }
        });
        var client = new WebhookStreamClient(redis, TimeProvider.System);

        var replay = await client.ReplayDeadLettersAsync(DeadLetterFilter.All, _deadLetters, CancellationToken.None);

        Assert.Equal(new DeadLetterReplay(webhooks.Length, 0), replay);
        var left = Assert.Single(await stack.Redis.StreamRangeAsync(_deadLetters));
        Assert.Equal(late.SvixId, (string?)left[WebhookStream.Fields.SvixId]);

        // Replayed into the stack's stream: stored before the next test measures the stream.
        await StoredEvents.WaitUntilStoredAsync(stack, webhooks[^1].SvixId);
    }

    [Fact]
    public async Task A_forwarding_dead_letter_stays_while_no_consumer_group_forwards_to_its_destination()
    {
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        await stack.Redis.StreamAddAsync(_deadLetters,
        [
            .. StreamEntryFields.Of(webhook, PhonicEventTypes.ConversationEnded),
            new(WebhookStream.Fields.Destination, $"removed-{Guid.NewGuid():N}"),
            new(WebhookStream.Fields.Error, "answered 410"),
        ]);
        var client = new WebhookStreamClient(stack.Redis.Multiplexer, TimeProvider.System);

        var replay = await client.ReplayDeadLettersAsync(DeadLetterFilter.All, _deadLetters, CancellationToken.None);

        // Replayed, it would wait in the stream for a destination no worker forwards to, and be trimmed unsent.
        Assert.Equal(new DeadLetterReplay(0, 1), replay);
        var left = Assert.Single(await stack.Redis.StreamRangeAsync(_deadLetters));
        Assert.Equal(webhook.SvixId, (string?)left[WebhookStream.Fields.SvixId]);
    }

    private Task AddDeadLetterAsync(SignedWebhook webhook) => stack.Redis.StreamAddAsync(_deadLetters, DeadLetterFields(webhook));

    private static NameValueEntry[] DeadLetterFields(SignedWebhook webhook) =>
        [.. StreamEntryFields.Of(webhook, PhonicEventTypes.ConversationEnded), new(WebhookStream.Fields.Error, "test")];

    [Fact]
    public async Task The_status_still_measures_the_stream_while_the_dead_letter_key_is_not_a_stream_and_names_Redis_refusal_in_place_of_the_count()
    {
        var client = new WebhookStreamClient(stack.Redis.Multiplexer, TimeProvider.System);
        await using (await DeadLetters.OverwriteWithStringAsync(stack.Redis))
        {
            var status = await client.GetStatusAsync(CancellationToken.None);

            Assert.Null(status.DeadLetters);
            Assert.Equal("RedisServerException (WRONGTYPE)", status.DeadLettersUnmeasured);
        }

        // Counted again once mended; not compared with XLEN, which the running worker may change between the two reads.
        var mended = await client.GetStatusAsync(CancellationToken.None);
        Assert.NotNull(mended.DeadLetters);
        Assert.Null(mended.DeadLettersUnmeasured);
    }
}
