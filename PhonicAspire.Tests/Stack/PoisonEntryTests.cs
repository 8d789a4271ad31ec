using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Stack;

[Collection(StackCollection.Name)]
public sealed class PoisonEntryTests(PhonicStackFixture stack)
{
    [Fact]
    public Task A_malformed_entry_is_dead_lettered_with_its_reason_and_the_rest_are_stored() =>
        AssertDeadLetteredAsMalformedBetweenStoredOnesAsync(
            [new NameValueEntry("garbage", "no svix id, no body")],
            deadLetter => Assert.Equal("no svix id, no body", (string?)deadLetter["garbage"]));

    [Theory]
    [InlineData(WebhookStream.Fields.ReceivedAt)]
    [InlineData(WebhookStream.Fields.ReplayedAt)]
    public Task An_entry_whose_time_is_past_any_date_is_dead_lettered_as_malformed_and_the_rest_are_stored(string timeField)
    {
        // Digits that fit a long, but as milliseconds or seconds since 1970 a time past the year 9999.
        var outOfRange = SignedWebhook.FromSample(SamplePayloads.Transferred, SamplePayloads.NewConversationId());
        return AssertDeadLetteredAsMalformedBetweenStoredOnesAsync(
            [.. StreamEntryFields.Of(outOfRange, PhonicEventTypes.ConversationTransferred).Where(field => field.Name != timeField), new(timeField, "99999999999999999")],
            deadLetter => Assert.Contains(timeField, (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal));
    }

    /// <summary>Adds the malformed entry between two good ones: it is dead-lettered as malformed and leaves the stream, they are stored.</summary>
    private async Task AssertDeadLetteredAsMalformedBetweenStoredOnesAsync(NameValueEntry[] malformed, Action<StreamEntry> assertDeadLetter)
    {
        var first = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        var last = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());

        await AddAsync(first);
        var malformedEntryId = await stack.Redis.StreamAddAsync(WebhookStream.Name, malformed);
        await AddAsync(last);
        try
        {
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, first.SvixId));
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, last.SvixId));

            var deadLetter = await WaitForDeadLetterOfAsync(malformedEntryId);
            Assert.Contains("malformed", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
            assertDeadLetter(deadLetter);
            await StoredEvents.WaitUntilLeftStreamAsync(stack, malformedEntryId, "the dead-lettered entry to leave the stream");
        }
        finally
        {
            await DeleteDeadLettersOfAsync(malformedEntryId);
        }
    }

    [Fact]
    public async Task A_well_formed_entry_that_postgres_rejects_is_dead_lettered_with_its_sqlstate_and_the_rest_of_its_batch_is_stored()
    {
        var first = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        var last = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());

        // Every field in place, but a NUL in the svix id, which no PostgreSQL text column takes (SQLSTATE 22021).
        var rejected = SignedWebhook.FromSample(SamplePayloads.Transferred, SamplePayloads.NewConversationId()) with { SvixId = $"msg_{Guid.NewGuid():N}\0" };

        // Queued while the worker is stopped, so its next read takes all three, in this order, as one batch.
        RedisValue rejectedEntryId;
        await using (await stack.StopAsync("worker"))
        {
            await AddAsync(first);
            rejectedEntryId = await AddAsync(rejected);
            await AddAsync(last);
        }

        try
        {
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, first.SvixId));
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, last.SvixId));

            var deadLetter = await WaitForDeadLetterOfAsync(rejectedEntryId);
            Assert.Contains("SQLSTATE 22021", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
            Assert.Equal(rejected.Body, (byte[]?)deadLetter[WebhookStream.Fields.Body]);
            await StoredEvents.WaitUntilLeftStreamAsync(stack, rejectedEntryId, "the dead-lettered entry to leave the stream");
        }
        finally
        {
            await DeleteDeadLettersOfAsync(rejectedEntryId);
        }
    }

    [Fact]
    public async Task An_entry_postgres_rejects_alone_in_its_batch_is_dead_lettered_as_phonics_sample_is_taken_and_the_sample_leaves_no_row()
    {
        // No rest of a batch to compare it with: the sample of its event type, stored and rolled back, stands in.
        var rejected = SignedWebhook.FromSample(SamplePayloads.Transferred, SamplePayloads.NewConversationId()) with { SvixId = $"msg_{Guid.NewGuid():N}\0" };
        var rejectedEntryId = await stack.Redis.StreamAddAsync(WebhookStream.Name, StreamEntryFields.Of(rejected, PhonicEventTypes.ConversationTransferred));
        try
        {
            var deadLetter = await WaitForDeadLetterOfAsync(rejectedEntryId);
            Assert.Contains("SQLSTATE 22021", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
            await StoredEvents.WaitUntilLeftStreamAsync(stack, rejectedEntryId, "the dead-lettered entry to leave the stream");

            await using var connection = await stack.OpenDatabaseAsync();
            await using var samples = new NpgsqlCommand(
                """
                SELECT (SELECT count(*) FROM webhook_events WHERE svix_id LIKE 'sample\_%')
                     + (SELECT count(*) FROM conversations
                        WHERE ended_event_svix_id LIKE 'sample\_%' OR analysis_event_svix_id LIKE 'sample\_%' OR transferred_event_svix_id LIKE 'sample\_%')
                """,
                connection);
            Assert.Equal(0L, await samples.ExecuteScalarAsync());
        }
        finally
        {
            await DeleteDeadLettersOfAsync(rejectedEntryId);
        }
    }

    [Fact]
    public async Task Entries_postgres_rejects_that_make_up_a_whole_batch_are_each_dead_lettered_and_none_holds_the_worker()
    {
        // Both refused alike and nothing else in the batch: only Phonic's sample, taken, tells their data from the
        // database's state.
        var rejected = Enumerable.Range(0, 2)
            .Select(_ => SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId()) with { SvixId = $"msg_{Guid.NewGuid():N}\0" })
            .ToArray();
        var entryIds = new List<RedisValue>();
        await using (await stack.StopAsync("worker"))
        {
            foreach (var webhook in rejected)
            {
                entryIds.Add(await AddAsync(webhook));
            }
        }

        try
        {
            foreach (var entryId in entryIds)
            {
                var deadLetter = await WaitForDeadLetterOfAsync(entryId);
                Assert.Contains("SQLSTATE 22021", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
            }

            var next = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
            await AddAsync(next);
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, next.SvixId));
            await stack.WaitUntilHealthyAsync("worker");
        }
        finally
        {
            foreach (var entryId in entryIds)
            {
                await DeleteDeadLettersOfAsync(entryId);
            }
        }
    }

    [Fact]
    public async Task An_entry_whose_workers_keep_dying_is_dead_lettered_once_reclaimed()
    {
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());

        var entryId = (await AddAsCrashedAsync(10, ("*", webhook)))[0];

        try
        {
            var deadLetter = await WaitForDeadLetterOfAsync(entryId);
            Assert.Contains("times without being stored", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
            Assert.Equal(0, await StoredEvents.CountAsync(stack, webhook.SvixId));
        }
        finally
        {
            await DeleteDeadLettersOfAsync(entryId);
        }
    }

    [Fact]
    public async Task Entries_whose_workers_keep_dying_are_all_dead_lettered_whatever_their_ids_sequence_numbers()
    {
        var first = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        var second = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());

        // Ids …-5 and …-12 of one millisecond: as text "…-12" sorts before "…-5".
        var milliseconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1_000;
        var entryIds = await AddAsCrashedAsync(10, ($"{milliseconds}-5", first), ($"{milliseconds}-12", second));

        try
        {
            foreach (var entryId in entryIds)
            {
                var deadLetter = await WaitForDeadLetterOfAsync(entryId);
                Assert.Contains("times without being stored", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
            }

            Assert.Equal(0, await StoredEvents.CountAsync(stack, first.SvixId));
            Assert.Equal(0, await StoredEvents.CountAsync(stack, second.SvixId));
        }
        finally
        {
            foreach (var entryId in entryIds)
            {
                await DeleteDeadLettersOfAsync(entryId);
            }
        }
    }

    [Fact]
    public async Task Entries_that_crashed_workers_together_with_one_that_keeps_crashing_them_are_stored_and_only_that_one_is_dead_lettered()
    {
        var before = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        var crashingConversation = SamplePayloads.NewConversationId();
        var crashing = SignedWebhook.FromSample(SamplePayloads.Ended, crashingConversation);
        var afterConversation = SamplePayloads.NewConversationId();
        var after = SignedWebhook.FromSample(SamplePayloads.Analysis, afterConversation);

        // The crashing entry's storage waits on its conversation's row, held here, until the worker is killed: a crash
        // while handling it, as a poison entry would cause. The last entry's row is held too until then, so that it would
        // still be in flight at the kill if the worker took it beside the crashing one.
        await using var crashingRow = await HoldConversationRowAsync(crashingConversation);
        await using var afterRow = await HoldConversationRowAsync(afterConversation);

        // As after a batch of the three crashed workers together MaxAttempts − 1 times: one more crash, and before the
        // fix all three were dead-lettered with it.
        var entryIds = await AddAsCrashedAsync(PhonicStackFixture.MaxAttempts - 1, ("*", before), ("*", crashing), ("*", after));
        try
        {
            // From here to the kill, well within the Worker:ClaimIdleTime (3 s here) for which the worker handles the
            // crashing entry alone: past it, the last entry would go on beside it.
            await Eventually.ReturnsAsync(() => StorageWaitingOnLocksAsync(crashingRow.Database), waiting => waiting > 0, TimeSpan.FromSeconds(30),
                "the worker's storage to wait on the held conversation row");

            // Time for the worker to take the last entry too, were it to handle it beside the crashing one.
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            Assert.Equal(1, await StorageWaitingOnLocksAsync(crashingRow.Database));
            var untaken = Assert.Single(await stack.Redis.StreamPendingMessagesAsync(WebhookStream.Name, WebhookStream.ConsumerGroup, 1, RedisValue.Null, entryIds[2], entryIds[2]));
            Assert.Equal(("ghost-consumer", PhonicStackFixture.MaxAttempts - 1), ((string?)untaken.ConsumerName, untaken.DeliveryCount));
            await using (await stack.KillAsync("worker"))
            {
                // Released while no worker runs: the next one stores the last entry whichever it claims first.
                await afterRow.ReleaseAsync();
            }

            var deadLetter = await WaitForDeadLetterOfAsync(entryIds[1]);
            Assert.Contains("times without being stored", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, before.SvixId));
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, after.SvixId));
            Assert.Equal(0, await StoredEvents.CountAsync(stack, crashing.SvixId));
            var deadLettered = (await stack.Redis.StreamRangeAsync(WebhookStream.DeadLetterName)).Select(entry => entry[WebhookStream.Fields.OriginalEntryId]).ToHashSet();
            Assert.DoesNotContain(entryIds[0], deadLettered);
            Assert.DoesNotContain(entryIds[2], deadLettered);
        }
        finally
        {
            foreach (var entryId in entryIds)
            {
                await DeleteDeadLettersOfAsync(entryId);
            }
        }
    }

    [Fact]
    public async Task An_entry_abandoned_twice_that_hangs_rather_than_crashes_holds_up_new_deliveries_no_longer_than_the_claim_idle_time()
    {
        var hangingConversation = SamplePayloads.NewConversationId();
        var hanging = SignedWebhook.FromSample(SamplePayloads.Ended, hangingConversation);
        await using var hangingRow = await HoldConversationRowAsync(hangingConversation);
        var entryIds = await AddAsCrashedAsync(2, ("*", hanging));
        try
        {
            await Eventually.ReturnsAsync(() => StorageWaitingOnLocksAsync(hangingRow.Database), waiting => waiting > 0, TimeSpan.FromSeconds(30),
                "the worker's storage to wait on the held conversation row");

            // Handled alone for Worker:ClaimIdleTime (3 s here), then beside the rest: a new delivery waits that long,
            // and the storage's own time, not for as long as the row is held.
            var next = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
            await AddAsync(next);
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, next.SvixId, PhonicStackFixture.ClaimIdleTime * 5));
            Assert.Equal(1, await StorageWaitingOnLocksAsync(hangingRow.Database));

            await hangingRow.ReleaseAsync();
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, hanging.SvixId));
        }
        finally
        {
            await DeleteDeadLettersOfAsync(entryIds[0]);
        }
    }

    private async Task<HeldConversationRow> HoldConversationRowAsync(string conversationId)
    {
        var database = await stack.OpenDatabaseAsync();
        var transaction = await database.BeginTransactionAsync();
        await using var insert = new NpgsqlCommand("INSERT INTO conversations (id) VALUES ($1)", database, transaction) { Parameters = { new() { Value = conversationId } } };
        await insert.ExecuteNonQueryAsync();
        return new HeldConversationRow(database, transaction);
    }

    /// <summary>A conversation row inserted in a transaction left open: storing an event of it waits until that ends.</summary>
    private sealed class HeldConversationRow(NpgsqlConnection database, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public NpgsqlConnection Database => database;

        public Task ReleaseAsync() => transaction.RollbackAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    private static async Task<long> StorageWaitingOnLocksAsync(NpgsqlConnection database)
    {
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()", database);
        return (long)(await waiting.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task While_the_dead_letter_key_is_not_a_stream_deliveries_are_stored_and_an_entry_to_dead_letter_waits_in_the_stream_with_the_worker_unhealthy_until_the_key_is_mended()
    {
        // An operator who overwrites the dead-letter key by hand makes the measurement's count of the dead letters and
        // every dead letter fail with WRONGTYPE: the measurement must not hold the drain, the entry must wait in the
        // stream, and /health must say why.
        using var worker = stack.CreateWorkerClient();
        RedisValue malformedEntryId;
        await using (await DeadLetters.OverwriteWithStringAsync(stack.Redis))
        {
            // The worker's next measurement of the stream (every Worker:StatusInterval) counts the dead letters, which
            // Redis now refuses; only a delivery after that refusal shows whether it holds the drain.
            var refusedBefore = await WrongTypeRepliesAsync();
            await Eventually.ReturnsAsync(WrongTypeRepliesAsync, refused => refused > refusedBefore, TimeSpan.FromSeconds(30),
                "the worker's measurement of the stream to meet WRONGTYPE");
            var delivery = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
            await AddAsync(delivery);
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, delivery.SvixId, TimeSpan.FromSeconds(30)));

            malformedEntryId = await stack.Redis.StreamAddAsync(WebhookStream.Name, [new NameValueEntry("garbage", "no svix id, no body")]);
            var health = await ReadWorkerHealthAsync(worker, body => body.Contains("WRONGTYPE", StringComparison.Ordinal), "to name Redis's WRONGTYPE");
            Assert.StartsWith("Unhealthy", health, StringComparison.Ordinal);
            var pending = await stack.Redis.StreamPendingMessagesAsync(WebhookStream.Name, WebhookStream.ConsumerGroup, 1, RedisValue.Null, malformedEntryId, malformedEntryId);
            Assert.Single(pending);
        }

        try
        {
            var deadLetter = await WaitForDeadLetterOfAsync(malformedEntryId);
            Assert.Contains("malformed", (string?)deadLetter[WebhookStream.Fields.Error], StringComparison.Ordinal);
            await ReadWorkerHealthAsync(worker, body => body.StartsWith("Healthy", StringComparison.Ordinal), "to be healthy again");
        }
        finally
        {
            await DeleteDeadLettersOfAsync(malformedEntryId);
        }
    }

    private async Task<long> WrongTypeRepliesAsync()
    {
        // The field reads "count=N", and may gain more after a comma in later versions.
        return await RedisInfo.FieldAsync(stack.Redis, "errorstats", "errorstat_WRONGTYPE") is { } count
            ? long.Parse(count["count=".Length..].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)
            : 0;
    }

    private static async Task<string> ReadWorkerHealthAsync(HttpClient worker, Func<string, bool> done, string what) =>
        (await HealthEndpoint.WaitUntilAsync(worker, answer => done(answer.Body), TimeSpan.FromSeconds(30), $"the worker's /health {what}")).Body;

    /// <summary>
    /// Atomically: appends the entries (each with the id given, or <c>*</c>), hands them to a consumer that will never
    /// acknowledge, and makes them look delivered <paramref name="deliveries"/> times and long idle, as entries that
    /// crashed that many workers in a row would be. Returns their ids.
    /// </summary>
    private async Task<RedisValue[]> AddAsCrashedAsync(int deliveries, params (RedisValue Id, SignedWebhook Webhook)[] entries)
    {
        var ids = (RedisValue[])(await stack.Redis.ScriptEvaluateAsync(
            """
            local ids = {}
            for i = 4, #ARGV, 3 do
                table.insert(ids, redis.call('XADD', KEYS[1], ARGV[i], 'svix_id', ARGV[i + 1], 'event_type', 'test', 'received_at', ARGV[3], 'body', ARGV[i + 2]))
            end
            redis.call('XREADGROUP', 'GROUP', ARGV[1], 'ghost-consumer', 'COUNT', 10000, 'STREAMS', KEYS[1], '>')
            -- unpack must come last in a call, or Lua passes only its first value.
            local claim = {'XCLAIM', KEYS[1], ARGV[1], 'ghost-consumer', 0}
            for _, id in ipairs(ids) do table.insert(claim, id) end
            for _, option in ipairs({'IDLE', 3600000, 'RETRYCOUNT', ARGV[2]}) do table.insert(claim, option) end
            redis.call(unpack(claim))
            return ids
            """,
            [WebhookStream.Name],
            [
                WebhookStream.ConsumerGroup, deliveries, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                .. entries.SelectMany(entry => new RedisValue[] { entry.Id, entry.Webhook.SvixId, entry.Webhook.Body }),
            ]))!;
        Assert.Equal(entries.Length, ids.Length);
        return ids;
    }

    /// <summary>The one dead letter made of the entry <paramref name="originalEntryId"/>, once it is there.</summary>
    private async Task<StreamEntry> WaitForDeadLetterOfAsync(RedisValue originalEntryId)
    {
        var deadLetters = await Eventually.ReturnsAsync(
            () => stack.Redis.StreamRangeAsync(WebhookStream.DeadLetterName),
            entries => entries.Any(entry => entry[WebhookStream.Fields.OriginalEntryId] == originalEntryId),
            TimeSpan.FromSeconds(60), $"entry {originalEntryId} to be dead-lettered");
        return Assert.Single(deadLetters, entry => entry[WebhookStream.Fields.OriginalEntryId] == originalEntryId);
    }

    private async Task DeleteDeadLettersOfAsync(RedisValue originalEntryId)
    {
        var ours = (await stack.Redis.StreamRangeAsync(WebhookStream.DeadLetterName))
            .Where(entry => entry[WebhookStream.Fields.OriginalEntryId] == originalEntryId)
            .Select(entry => entry.Id)
            .ToArray();
        if (ours.Length > 0)
        {
            await stack.Redis.StreamDeleteAsync(WebhookStream.DeadLetterName, ours);
        }
    }

    private Task<RedisValue> AddAsync(SignedWebhook webhook) => stack.Redis.StreamAddAsync(WebhookStream.Name, StreamEntryFields.Of(webhook, "test"));
}
