using System.Net;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// Verified events forwarded to the team's own services on the whole stack: at least once, signed in the Standard
/// Webhooks scheme with the same <c>webhook-id</c> on every attempt, refusals and expired events in the forwarding
/// dead letters, and a destination that is down neither delaying the storage nor growing the stream forever.
/// </summary>
[Collection(ForwardingStackCollection.Name)]
public sealed class ForwardingTests(ForwardingStackFixture stack)
{
    private const int ServerKind = 2;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_destination_down_for_a_while_receives_every_event_once_back_each_attempt_signed_with_the_same_webhook_id()
    {
        using var client = stack.CreateApiClient();
        var webhooks = Enumerable.Range(0, 5).Select(_ => SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId())).ToArray();

        // Down for longer than claiming an entry as abandoned, that often, would take: a live worker's long retries
        // must neither hand its entries to a second attempt in parallel nor count them as crashing.
        var downFor = PhonicStackFixture.ClaimIdleTime * (PhonicStackFixture.MaxAttempts + 2);
        Assert.True(downFor + TimeSpan.FromSeconds(5) < ForwardingStackFixture.MaxAge, "the outage must end well within the age limit");
        stack.Destinations.FlakyDown = true;
        try
        {
            var down = Task.Delay(downFor);
            await SendAsync(client, webhooks);
            foreach (var webhook in webhooks)
            {
                await Eventually.ReturnsAsync(() => StoredEvents.CountAsync(stack, webhook.SvixId), count => count == 1, Timeout, $"{webhook.SvixId} to be stored while the destination is down");
            }

            // Each event holds its own place in the destination's window, so every one is retried meanwhile.
            foreach (var webhook in webhooks)
            {
                await Eventually.ReturnsAsync(
                    () => Task.FromResult(stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, webhook.SvixId).Count),
                    tried => tried >= 2, Timeout, $"{webhook.SvixId} to be tried again while the destination is down");
            }

            await down;
        }
        finally
        {
            stack.Destinations.FlakyDown = false;
        }

        // Its own back-off starts at 200 ms here; the destination's Retry-After asked for a second.
        var retried = stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, webhooks[0].SvixId);
        Assert.True(retried[1].At - retried[0].At >= TimeSpan.FromSeconds(0.9),
            $"the second attempt came {(retried[1].At - retried[0].At).TotalMilliseconds:0} ms after the first, not after Retry-After");

        foreach (var webhook in webhooks)
        {
            await Eventually.ReturnsAsync(
                () => Task.FromResult(stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, webhook.SvixId)),
                attempts => attempts.Any(attempt => attempt.Status == 200), Timeout, $"{webhook.SvixId} to be delivered once the destination is back");
            var attempts = stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, webhook.SvixId);
            Assert.Single(attempts, attempt => attempt.Status == 200);
            Assert.All(attempts, attempt =>
            {
                Assert.True(attempt.SignatureVerified, "a forward's Standard Webhooks signature does not verify with the forwarding secret");
                Assert.Equal(webhook.Body, attempt.Body);
            });
            Assert.Null(await ForwardingDeadLetterAsync(webhook.SvixId));
        }
    }

    [Fact]
    public async Task A_redis_outage_longer_than_the_claim_idle_time_does_not_hand_forwards_still_in_flight_to_a_second_attempt()
    {
        using var client = stack.CreateApiClient();
        var webhooks = Enumerable.Range(0, 3).Select(_ => SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId())).ToArray();
        stack.Destinations.FlakyDown = true;
        try
        {
            await SendAsync(client, webhooks);
            foreach (var webhook in webhooks)
            {
                await Eventually.ReturnsAsync(
                    () => Task.FromResult(stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, webhook.SvixId).Count),
                    tried => tried >= 2, Timeout, $"{webhook.SvixId} to be retried while the destination is down");
            }

            // Meanwhile no one can touch the worker's pending entries, so once Redis is back they have been idle for
            // longer than an abandoned entry is: still the worker's own forwards, being retried.
            await using (await stack.StopAsync("redis"))
            {
                await Task.Delay(PhonicStackFixture.ClaimIdleTime * 2);
            }

            // Past the worker's next rounds of claims.
            await Task.Delay(PhonicStackFixture.ClaimIdleTime * 1.5);
        }
        finally
        {
            stack.Destinations.FlakyDown = false;
        }

        foreach (var webhook in webhooks)
        {
            await Eventually.ReturnsAsync(
                () => Task.FromResult(stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, webhook.SvixId)),
                attempts => attempts.Any(attempt => attempt.Status == 200), Timeout, $"{webhook.SvixId} to be delivered once the destination is back");
        }

        // A second forward of the same event would retry within the back-off's second and be delivered too.
        await Task.Delay(PhonicStackFixture.ClaimIdleTime);
        foreach (var webhook in webhooks)
        {
            Assert.Single(stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, webhook.SvixId), attempt => attempt.Status == 200);
        }
    }

    [Fact]
    public async Task A_destination_that_answers_410_sends_the_event_to_the_forwarding_dead_letters_at_once_and_a_replay_goes_to_it_alone()
    {
        using var client = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Transferred, SamplePayloads.NewConversationId());
        await SendAsync(client, webhook);

        var deadLetter = await Eventually.ReturnsAsync(
            () => ForwardingDeadLetterAsync(webhook.SvixId), entry => entry is not null, TimeSpan.FromSeconds(10), "the refused forward to be dead-lettered") ?? default;
        Assert.Equal(ForwardingDestinations.Gone, (string?)deadLetter[WebhookStream.Fields.Destination]);
        Assert.Contains("410", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
        Assert.Single(stack.Destinations.ReceivedBy(ForwardingDestinations.Gone, webhook.SvixId));
        // Another destination, and the storage, took it regardless; each in its own consumer group, so in no
        // particular order with the refusal.
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        await Eventually.ReturnsAsync(
            () => Task.FromResult(stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, webhook.SvixId)),
            attempts => attempts.Any(attempt => attempt.Status == 200), Timeout, "the other destination to have it");

        // Through the dashboard's button, so that the AppHost's path for it is checked against the worker's route.
        await stack.ExecuteCommandAsync("worker", "replay-forwarding-dead-letters");

        var flakyAttempts = stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, webhook.SvixId).Count;
        await Eventually.ReturnsAsync(
            () => Task.FromResult(stack.Destinations.ReceivedBy(ForwardingDestinations.Gone, webhook.SvixId).Count),
            attempts => attempts == 2, Timeout, "the replayed forward to reach the destination again");

        // Once the replayed entry has left the stream, every group is done with it: any forward it caused has happened.
        await Eventually.ReturnsAsync(
            async () => (await stack.Redis.StreamRangeAsync(WebhookStream.Name)).Count(entry => (string?)entry[WebhookStream.Fields.SvixId] == webhook.SvixId),
            left => left == 0, Timeout, "the replayed entry to leave the stream");
        Assert.Equal(1, await StoredEvents.CountAsync(stack, webhook.SvixId));
        Assert.Equal(flakyAttempts, stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, webhook.SvixId).Count);
        Assert.Equal(2, stack.Destinations.ReceivedBy(ForwardingDestinations.Gone, webhook.SvixId).Count);
    }

    [Fact]
    public async Task A_destination_down_for_good_delays_no_storage_and_its_events_leave_the_stream_once_past_the_age_limit()
    {
        using var client = stack.CreateApiClient();
        var webhooks = Enumerable.Range(0, 10).Select(_ => SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId())).ToArray();
        await SendAsync(client, webhooks);
        var entryIds = await Task.WhenAll(webhooks.Select(async webhook => (string)(await stack.Redis.StringGetAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId))!));

        foreach (var webhook in webhooks)
        {
            await Eventually.ReturnsAsync(() => StoredEvents.CountAsync(stack, webhook.SvixId), count => count == 1, TimeSpan.FromSeconds(10), $"{webhook.SvixId} to be stored");
        }

        // Still wanted by the dead destination's group, so still in the stream.
        Assert.All(entryIds, entryId => Assert.Single(stack.Redis.StreamRange(WebhookStream.Name, entryId, entryId)));

        foreach (var webhook in webhooks)
        {
            var deadLetter = await Eventually.ReturnsAsync(
                () => ForwardingDeadLetterAsync(webhook.SvixId), entry => entry is not null,
                ForwardingStackFixture.MaxAge + Timeout, $"{webhook.SvixId} to expire into the forwarding dead letters") ?? default;
            Assert.Equal(ForwardingDestinations.Dead, (string?)deadLetter[WebhookStream.Fields.Destination]);
            Assert.Contains("not delivered within", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
        }

        foreach (var entryId in entryIds)
        {
            await Eventually.ReturnsAsync(
                async () => (await stack.Redis.StreamRangeAsync(WebhookStream.Name, entryId, entryId)).Length,
                left => left == 0, Timeout, $"stream entry {entryId} to leave the stream once every group is done with it");
        }

        // Replayed once the destination is fixed, an expired forward is tried again rather than expiring at once.
        var attemptsBefore = stack.Destinations.ReceivedBy(ForwardingDestinations.Dead, webhooks[0].SvixId).Count;
        using var worker = stack.CreateOperatorClient("worker");
        using (var replay = await worker.PostAsync("/admin/forwarding/dead-letters/replay", content: null))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        await Eventually.ReturnsAsync(
            () => Task.FromResult(stack.Destinations.ReceivedBy(ForwardingDestinations.Dead, webhooks[0].SvixId).Count),
            attempts => attempts > attemptsBefore, Timeout, "the replayed forward to be tried again");
    }

    [Fact]
    public async Task Events_a_destination_keeps_failing_hold_up_neither_the_events_behind_them_nor_their_acknowledgement()
    {
        using var client = stack.CreateApiClient();

        // Each failing event taken on its own, so each sits in a batch of its own: more of them than the batches a
        // destination had in flight at once.
        var failing = Enumerable.Range(0, 3)
            .Select(_ => SignedWebhook.FromSample(SamplePayloads.Ended, $"{ForwardingDestinations.PickyRefusalMarker}{Guid.NewGuid():N}"))
            .ToArray();
        foreach (var webhook in failing)
        {
            await SendAsync(client, webhook);
            await Eventually.ReturnsAsync(
                () => Task.FromResult(stack.Destinations.ReceivedBy(ForwardingDestinations.Picky, webhook.SvixId).Count),
                attempts => attempts > 0, TimeSpan.FromSeconds(10), $"failing event {webhook.SvixId} to be tried");
        }

        var behind = Enumerable.Range(0, 5).Select(_ => SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId())).ToArray();
        await SendAsync(client, behind);
        var behindEntries = await Task.WhenAll(behind.Select(async webhook => (string)(await stack.Redis.StringGetAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId))!));
        var failingEntries = await Task.WhenAll(failing.Select(async webhook => (string)(await stack.Redis.StringGetAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId))!));

        // Well within the age limit, so the failing events are still being retried meanwhile.
        Assert.True(TimeSpan.FromSeconds(10) < ForwardingStackFixture.MaxAge / 2, "the wait must end well within the age limit");
        foreach (var webhook in behind)
        {
            await Eventually.ReturnsAsync(
                () => Task.FromResult(stack.Destinations.ReceivedBy(ForwardingDestinations.Picky, webhook.SvixId)),
                attempts => attempts.Any(attempt => attempt.Status == 200), TimeSpan.FromSeconds(10),
                $"{webhook.SvixId} to be delivered while the events before it keep failing");
        }

        var group = WebhookStream.ForwardingGroupPrefix + ForwardingDestinations.Picky;
        await Eventually.ReturnsAsync(
            async () => (await stack.Redis.StreamPendingMessagesAsync(WebhookStream.Name, group, 1000, RedisValue.Null)).Select(pending => (string)pending.MessageId!).ToHashSet(),
            pending => !pending.Overlaps(behindEntries), TimeSpan.FromSeconds(10), "each delivered event to be acknowledged on its own");
        var stillPending = (await stack.Redis.StreamPendingMessagesAsync(WebhookStream.Name, group, 1000, RedisValue.Null)).Select(pending => (string)pending.MessageId!);
        Assert.Subset(stillPending.ToHashSet(), failingEntries.ToHashSet());
        Assert.All(failing, webhook => Assert.DoesNotContain(stack.Destinations.ReceivedBy(ForwardingDestinations.Picky, webhook.SvixId), attempt => attempt.Status == 200));
    }

    [Fact]
    public async Task Events_a_destination_does_not_take_are_acknowledged_at_once_beside_one_it_keeps_failing()
    {
        using var client = stack.CreateApiClient();
        var failing = SignedWebhook.FromSample(SamplePayloads.Ended, $"{ForwardingDestinations.PickyRefusalMarker}{Guid.NewGuid():N}");
        var notForIt = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());

        // Queued while the worker is stopped, so that the destination's group reads both in one batch.
        await using (await stack.StopAsync("worker"))
        {
            await SendAsync(client, failing, notForIt);
        }

        var failingEntry = (string)(await stack.Redis.StringGetAsync(WebhookStream.AcceptedKeyPrefix + failing.SvixId))!;
        var notForItEntry = (string)(await stack.Redis.StringGetAsync(WebhookStream.AcceptedKeyPrefix + notForIt.SvixId))!;
        await Eventually.ReturnsAsync(
            () => Task.FromResult(stack.Destinations.ReceivedBy(ForwardingDestinations.Picky, failing.SvixId).Count),
            attempts => attempts > 0, Timeout, "the failing event to be tried");

        var group = WebhookStream.ForwardingGroupPrefix + ForwardingDestinations.Picky;
        var pending = await Eventually.ReturnsAsync(
            async () => (await stack.Redis.StreamPendingMessagesAsync(WebhookStream.Name, group, 1000, RedisValue.Null)).Select(message => (string)message.MessageId!).ToHashSet(),
            ids => !ids.Contains(notForItEntry), TimeSpan.FromSeconds(10), "the event the destination does not take to be acknowledged while the other is retried");
        Assert.Contains(failingEntry, pending);
        Assert.Empty(stack.Destinations.ReceivedBy(ForwardingDestinations.Picky, notForIt.SvixId));
    }

    [Fact]
    public async Task The_sample_receiver_verifies_each_forward_within_the_deliverys_own_trace()
    {
        await stack.WaitUntilHealthyAsync("receiver");
        using var client = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        await SendAsync(client, webhook);

        var spans = await stack.Telemetry.WaitForSpansAsync(
            spans => spans.FirstOrDefault(span => span.ServiceName == "webhookapi" && span.Attributes.GetValueOrDefault("phonic.svix_id") == webhook.SvixId) is { } request
                && spans.Any(span => span.ServiceName == "receiver" && span.Kind == ServerKind && span.TraceId == request.TraceId)
                && spans.Any(span => span.ServiceName == "worker" && span.Name == "phonic.webhook forward" && span.TraceId == request.TraceId
                    && span.Attributes.GetValueOrDefault("phonic.forward.destination") == "receiver"),
            Timeout);
        var request = spans.First(span => span.ServiceName == "webhookapi" && span.Attributes.GetValueOrDefault("phonic.svix_id") == webhook.SvixId);
        var received = spans.First(span => span.ServiceName == "receiver" && span.Kind == ServerKind && span.TraceId == request.TraceId);
        Assert.Equal("200", received.Attributes.GetValueOrDefault("http.response.status_code"));
    }

    [Fact]
    public async Task A_requeued_event_and_a_replayed_storage_dead_letter_are_stored_and_sent_to_no_destination_again()
    {
        // Both are the storage's: the destinations had each entry the first time. A requeue of old events would
        // otherwise send them again or, past the age limit, flood the forwarding dead letters.
        using var client = stack.CreateApiClient();
        var requeued = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        await SendAsync(client, requeued);
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, requeued.SvixId));
        foreach (var destination in new[] { ForwardingDestinations.Flaky, ForwardingDestinations.Picky })
        {
            await Eventually.ReturnsAsync(
                () => Task.FromResult(stack.Destinations.ReceivedBy(destination, requeued.SvixId)),
                attempts => attempts.Any(attempt => attempt.Status == 200), Timeout, $"the event to be forwarded to {destination}");
        }

        var forwardsBefore = stack.Destinations.Received.Count(forward => forward.WebhookId == requeued.SvixId);

        var receivedLongAgo = DateTimeOffset.UtcNow - ForwardingStackFixture.MaxAge * 10;
        var stream = new WebhookStreamClient(stack.Redis.Multiplexer, TimeProvider.System);
        await stream.RequeueAsync(
            new[] { new QueuedDelivery(requeued.SvixId, "conversation.ended", null, receivedLongAgo, requeued.Body, Reprocess: true) }.ToAsyncEnumerable(),
            CancellationToken.None);

        var deadLettered = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        await DeadLetters.AddAsync(stack.Redis, deadLettered, "conversation.ended", "stored after a fix");
        using (var worker = stack.CreateOperatorClient("worker"))
        using (var replay = await worker.PostAsync("/admin/dead-letters/replay", content: null))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, deadLettered.SvixId));
        // Once their entries have left the stream, every group is done with them: any forward they caused has happened.
        await Eventually.ReturnsAsync(
            async () => (await stack.Redis.StreamRangeAsync(WebhookStream.Name))
                .Count(entry => (string?)entry[WebhookStream.Fields.SvixId] is { } svixId && (svixId == requeued.SvixId || svixId == deadLettered.SvixId)),
            left => left == 0, Timeout, "the requeued and replayed entries to leave the stream");
        Assert.Equal(forwardsBefore, stack.Destinations.Received.Count(forward => forward.WebhookId == requeued.SvixId));
        Assert.DoesNotContain(stack.Destinations.Received, forward => forward.WebhookId == deadLettered.SvixId);
        Assert.Null(await ForwardingDeadLetterAsync(requeued.SvixId));
        Assert.Null(await ForwardingDeadLetterAsync(deadLettered.SvixId));
    }

    [Fact]
    public async Task A_forward_replayed_to_a_destination_that_no_longer_takes_its_event_type_is_not_sent_and_the_worker_says_so()
    {
        // As if replayed from a dead letter of the days the picky destination took conversation.analysis too.
        var webhook = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
        var entryId = await stack.Redis.StreamAddAsync(WebhookStream.Name,
        [
            .. StreamEntryFields.Of(webhook, PhonicEventTypes.ConversationAnalysis),
            new(WebhookStream.Fields.ReplayedAt, DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
            new(WebhookStream.Fields.ForwardTo, ForwardingDestinations.Picky),
        ]);

        await StoredEvents.WaitUntilLeftStreamAsync(stack, entryId, "the replayed forward to leave the stream");

        Assert.Empty(stack.Destinations.ReceivedBy(ForwardingDestinations.Picky, webhook.SvixId));
        await stack.WaitUntilWorkerLogsExportedAsync();
        Assert.True(stack.Telemetry.LogExportsContaining(webhook.SvixId) > 0, "no log record names the forward that was not sent");
    }

    [Fact]
    public async Task A_malformed_entry_replayed_for_one_consumer_is_dead_lettered_again_by_that_consumer_alone()
    {
        // The replays of a malformed entry's dead letters, bodiless: one for the storage, one for a destination. Every
        // other consumer skips each, as it would a whole one, instead of adding a dead letter of its own.
        var forStorage = $"msg_malformed_{Guid.NewGuid():N}";
        var forFlaky = $"msg_malformed_{Guid.NewGuid():N}";
        var receivedAt = DateTimeOffset.UtcNow;
        await stack.Redis.StreamAddAsync(WebhookStream.Name,
        [
            new(WebhookStream.Fields.SvixId, forStorage),
            new(WebhookStream.Fields.EventType, "conversation.ended"),
            new(WebhookStream.Fields.ReceivedAt, receivedAt.ToUnixTimeMilliseconds()),
            new(WebhookStream.Fields.Reprocess, "1"),
        ]);
        await stack.Redis.StreamAddAsync(WebhookStream.Name,
        [
            new(WebhookStream.Fields.SvixId, forFlaky),
            new(WebhookStream.Fields.EventType, "conversation.ended"),
            new(WebhookStream.Fields.ReceivedAt, receivedAt.ToUnixTimeMilliseconds()),
            new(WebhookStream.Fields.ReplayedAt, receivedAt.ToUnixTimeSeconds()),
            new(WebhookStream.Fields.ForwardTo, ForwardingDestinations.Flaky),
        ]);

        try
        {
            await Eventually.ReturnsAsync(
                async () => (await stack.Redis.StreamRangeAsync(WebhookStream.Name))
                    .Count(entry => (string?)entry[WebhookStream.Fields.SvixId] is { } svixId && (svixId == forStorage || svixId == forFlaky)),
                left => left == 0, Timeout, "every consumer to be done with both entries");

            var storageDeadLetters = await DeadLetters.OfAsync(stack.Redis, WebhookStream.DeadLetterName, forStorage, forFlaky);
            Assert.Equal([forStorage], storageDeadLetters.Select(entry => (string?)entry[WebhookStream.Fields.SvixId]));
            var forwardingDeadLetters = await DeadLetters.OfAsync(stack.Redis, WebhookStream.ForwardingDeadLetterName, forStorage, forFlaky);
            Assert.Equal(
                [(forFlaky, ForwardingDestinations.Flaky)],
                forwardingDeadLetters.Select(entry => ((string?)entry[WebhookStream.Fields.SvixId], (string?)entry[WebhookStream.Fields.Destination])));
        }
        finally
        {
            // Not left for the tests that replay every storage dead letter.
            await DeadLetters.DeleteOfAsync(stack.Redis, WebhookStream.DeadLetterName, forStorage, forFlaky);
            await DeadLetters.DeleteOfAsync(stack.Redis, WebhookStream.ForwardingDeadLetterName, forStorage, forFlaky);
        }
    }

    private static async Task SendAsync(HttpClient client, params SignedWebhook[] webhooks)
    {
        foreach (var webhook in webhooks)
        {
            using var response = await client.SendAsync(webhook.ToRequest());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    private async Task<StreamEntry?> ForwardingDeadLetterAsync(string svixId) =>
        (await stack.Redis.StreamRangeAsync(WebhookStream.ForwardingDeadLetterName))
            .Where(entry => (string?)entry[WebhookStream.Fields.SvixId] == svixId)
            .Select(entry => (StreamEntry?)entry)
            .LastOrDefault();
}
