using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Worker;

/// <summary>
/// The worker's reads on a real Redis (a stream of their own, beside the stack's): bounded by bytes as well as by
/// count, so large bodies cannot make one batch hold gigabytes, and no entry skipped or read twice.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class ConsumerGroupStreamTests(PhonicStackFixture stack) : IAsyncLifetime
{
    private const int MiB = 1024 * 1024;
    private readonly List<string> _keys = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => stack.Redis.KeyDeleteAsync([.. _keys.Select(key => (RedisKey)key)]);

    [Fact]
    public async Task A_read_takes_no_more_bytes_than_allowed_and_every_entry_comes_once_in_order()
    {
        var (stream, key) = await NewStreamAsync();
        var bodies = Enumerable.Range(0, 10).Select(i => Enumerable.Repeat((byte)('a' + i), MiB).ToArray()).ToArray();
        foreach (var body in bodies)
        {
            await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, body);
        }

        var read = new List<StreamEntry>();
        while (read.Count < bodies.Length)
        {
            var batch = await stream.ReadNewAsync("reader", count: 500, maxBytes: 3 * MiB);
            Assert.InRange(batch.Length, 1, 2);
            Assert.True(batch.Sum(DeliveryWindow.SizeOf) <= 3 * MiB, $"a read of {batch.Length} entries held {batch.Sum(DeliveryWindow.SizeOf)} bytes");
            read.AddRange(batch);
        }

        Assert.Equal(bodies, read.Select(entry => (byte[])entry[WebhookStream.Fields.Body]!));
        Assert.Empty(await stream.ReadNewAsync("reader", count: 500, maxBytes: 3 * MiB));
    }

    [Fact]
    public async Task A_read_that_stops_at_the_byte_bound_leaves_the_rest_unread_for_the_group_pending_nowhere_and_counted_in_its_lag()
    {
        var (stream, key) = await NewStreamAsync();
        await AddEntriesAsync(key, 20, bodyBytes: 100 * 1024);

        // The bound falls inside the first 16 entries the read takes at a time.
        var first = await stream.ReadNewAsync("reader", count: 500, maxBytes: 350 * 1024);

        Assert.Equal(3, first.Length);
        var pending = await stack.Redis.StreamPendingMessagesAsync(key, "tests", 100, RedisValue.Null);
        Assert.Equal(first.Select(entry => entry.Id), pending.Select(entry => entry.MessageId));
        var group = (await stack.Redis.StreamGroupInfoAsync(key)).Single(info => info.Name == "tests");
        Assert.Equal(first[^1].Id, group.LastDeliveredId);
        Assert.Equal(3, group.EntriesRead);
        Assert.Equal(17, group.Lag);

        // Another consumer of the group reads on from there: nothing skipped, nothing twice.
        var rest = await stream.ReadNewAsync("other", count: 500, maxBytes: 100 * 1024 * 1024);
        var all = (await stack.Redis.StreamRangeAsync(key)).Select(entry => entry.Id);
        Assert.Equal(all, first.Concat(rest).Select(entry => entry.Id));
        Assert.Equal(0, (await stack.Redis.StreamGroupInfoAsync(key)).Single(info => info.Name == "tests").Lag);
    }

    [Fact]
    public async Task Entries_read_past_the_byte_bound_stay_with_their_reader_once_another_consumer_has_read_past_them()
    {
        var (stream, key) = await NewStreamAsync();
        await AddEntriesAsync(key, 6, bodyBytes: 100);

        // The reader's read crossed its bound after its second entry, and another consumer read on before the give-back.
        var mine = await ReadForAsync(key, "reader", 4);
        var theirs = await ReadForAsync(key, "other", 2);
        Assert.False(await stream.GiveBackAsync(mine[2..]));

        var pending = await stack.Redis.StreamPendingMessagesAsync(key, "tests", 100, "reader");
        Assert.Equal(mine.Select(entry => entry.Id), pending.Select(entry => entry.MessageId));
        var group = (await stack.Redis.StreamGroupInfoAsync(key)).Single(info => info.Name == "tests");
        Assert.Equal(theirs[^1].Id, group.LastDeliveredId);
        Assert.Equal(6, group.EntriesRead);
        Assert.Equal(0, group.Lag);
    }

    [Fact]
    public async Task Giving_back_a_later_read_of_a_batch_leaves_what_another_consumer_read_between_its_reads_with_that_consumer()
    {
        var (stream, key) = await NewStreamAsync();
        await AddEntriesAsync(key, 5, bodyBytes: 100);

        // The reader's batch took two reads, another consumer read one entry between them, and the bound fell at the
        // second read's first entry, so the whole of that read goes back.
        var first = await ReadForAsync(key, "reader", 2);
        var theirs = Assert.Single(await ReadForAsync(key, "other", 1));
        var second = await ReadForAsync(key, "reader", 2);
        Assert.True(await stream.GiveBackAsync(second));

        Assert.Equal([theirs.Id], (await stack.Redis.StreamPendingMessagesAsync(key, "tests", 100, "other")).Select(entry => entry.MessageId));
        Assert.Equal(first.Select(entry => entry.Id), (await stack.Redis.StreamPendingMessagesAsync(key, "tests", 100, "reader")).Select(entry => entry.MessageId));
        var group = (await stack.Redis.StreamGroupInfoAsync(key)).Single(info => info.Name == "tests");
        Assert.Equal(3, group.EntriesRead);
        Assert.Equal(2, group.Lag);
        Assert.Equal(second.Select(entry => entry.Id), (await ReadForAsync(key, "next", 10)).Select(entry => entry.Id));
    }

    [Fact]
    public async Task After_a_give_back_the_group_acknowledges_and_trims_as_before_and_reads_the_entries_given_back()
    {
        var (stream, key) = await NewStreamAsync();
        foreach (var id in new[] { "1000-0", "2000-0", "3000-0" })
        {
            await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, new byte[100], messageId: id);
        }

        // Given back from a sequence of 0, the first entry the group holds nothing else of is then acknowledged: the
        // trim works out the lowest entry still needed from where the group stands (the storage's group, past every
        // entry, lets it trim at all).
        await stack.Redis.StreamCreateConsumerGroupAsync(key, WebhookStream.ConsumerGroup, "3000-0");
        var read = await ReadForAsync(key, "reader", 3);
        Assert.True(await stream.GiveBackAsync(read[1..]));
        await stream.AcknowledgeAsync([read[0].Id!], CancellationToken.None);

        Assert.Equal(["2000-0", "3000-0"], (await stack.Redis.StreamRangeAsync(key)).Select(entry => (string)entry.Id!));
        Assert.Equal(["2000-0", "3000-0"], (await stream.ReadNewAsync("reader", count: 500, maxBytes: MiB)).Select(entry => (string)entry.Id!));
    }

    [Fact]
    public async Task An_entry_larger_than_the_byte_bound_is_read_alone_and_the_count_still_bounds_small_ones()
    {
        var (stream, key) = await NewStreamAsync();
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, new byte[2 * MiB]);
        await AddEntriesAsync(key, 20, bodyBytes: 100);

        Assert.Single(await stream.ReadNewAsync("reader", count: 500, maxBytes: MiB));
        Assert.Equal(5, (await stream.ReadNewAsync("reader", count: 5, maxBytes: MiB)).Length);
        Assert.Equal(15, (await stream.ReadNewAsync("reader", count: 500, maxBytes: MiB)).Length);
    }

    [Fact]
    public async Task Claims_of_abandoned_entries_are_bounded_by_bytes_too_and_their_cursor_walks_the_whole_pending_list()
    {
        var (stream, key) = await NewStreamAsync();
        await AddEntriesAsync(key, 6, bodyBytes: MiB);

        Assert.Equal(6, (await stream.ReadNewAsync("crashed", count: 500, maxBytes: 100 * MiB)).Length);

        var claimed = new List<StreamEntry>();
        RedisValue cursor = "0-0";
        var pages = 0;
        do
        {
            (var page, cursor) = await stream.ClaimAbandonedAsync("survivor", TimeSpan.Zero, count: 500, maxBytes: 2 * MiB + 100, cursor);
            Assert.InRange(page.Length, 1, 2);
            claimed.AddRange(page.Select(claim => claim.Entry));
            pages++;
        }
        while (cursor != "0-0" && pages < 10);

        Assert.Equal(6, claimed.Select(entry => entry.Id).Distinct().Count());
        var owners = await stack.Redis.StreamPendingMessagesAsync(key, "tests", 10, RedisValue.Null);
        Assert.All(owners, pending => Assert.Equal("survivor", pending.ConsumerName));
    }

    [Fact]
    public async Task An_entry_abandoned_again_after_a_claim_comes_in_a_page_of_its_own_and_entries_abandoned_once_come_together()
    {
        var (stream, key) = await NewStreamAsync();
        await AddEntriesAsync(key, 5, bodyBytes: 100);

        var ids = (await stream.ReadNewAsync("crashed", count: 500, maxBytes: MiB)).Select(entry => entry.Id).ToArray();
        Assert.Equal(5, ids.Length);

        // The first and the fourth were claimed once already, and abandoned again.
        await stack.Redis.StreamClaimAsync(key, "tests", "crashed-too", 0, [ids[0], ids[3]]);

        var pages = new List<ClaimedEntry[]>();
        RedisValue cursor = "0-0";
        do
        {
            (var page, cursor) = await stream.ClaimAbandonedAsync("survivor", TimeSpan.Zero, count: 500, maxBytes: MiB, cursor);
            pages.Add(page);
        }
        while (cursor != "0-0" && pages.Count < 10);

        var claimed = pages.Where(page => page.Length > 0).ToArray();
        Assert.Equal([[3], [2, 2], [3], [2]], claimed.Select(page => page.Select(claim => claim.DeliveryCount).ToArray()));
        Assert.Equal(ids, claimed.SelectMany(page => page).Select(claim => claim.Entry.Id));
    }

    [Fact]
    public async Task A_claim_hands_over_each_entrys_delivery_count_in_the_same_call_so_no_failure_can_come_between()
    {
        var (stream, key) = await NewStreamAsync();
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, new byte[100]);
        Assert.Single(await stream.ReadNewAsync("crashed", count: 500, maxBytes: MiB));
        var claiming = new ConsumerGroupStream(InterceptedRedis.AnsweringScriptsOnly(stack.Redis.Multiplexer), Subscription(key));

        var (claimed, _) = await claiming.ClaimAbandonedAsync("survivor", TimeSpan.Zero, count: 500, maxBytes: MiB, "0-0");
        var (claimedAgain, _) = await claiming.ClaimAbandonedAsync("next-survivor", TimeSpan.Zero, count: 500, maxBytes: MiB, "0-0");

        Assert.Equal(2, Assert.Single(claimed).DeliveryCount);
        Assert.Equal(3, Assert.Single(claimedAgain).DeliveryCount);
        var pending = Assert.Single(await stack.Redis.StreamPendingMessagesAsync(key, "tests", 10, RedisValue.Null));
        Assert.Equal(3, pending.DeliveryCount);
    }

    [Fact]
    public async Task Nothing_is_trimmed_before_the_storage_group_exists_so_it_reads_every_entry_another_group_finished()
    {
        var (forwarding, key) = await NewStreamAsync();
        await AddEntriesAsync(key, 3, bodyBytes: 100);

        var read = await forwarding.ReadNewAsync("forwarder", count: 500, maxBytes: MiB);
        await forwarding.AcknowledgeAsync([.. read.Select(entry => entry.Id.ToString())], CancellationToken.None);
        Assert.Equal(3, await stack.Redis.StreamLengthAsync(key));

        await stack.Redis.StreamCreateConsumerGroupAsync(key, WebhookStream.ConsumerGroup, StreamPosition.Beginning);
        var storage = await stack.Redis.StreamReadGroupAsync(key, WebhookStream.ConsumerGroup, "storage", StreamPosition.NewMessages, 500);
        Assert.Equal(read.Select(entry => entry.Id), storage.Select(entry => entry.Id));

        // Done in both groups: the next acknowledgement trims what every group has finished.
        await stack.Redis.StreamAcknowledgeAsync(key, WebhookStream.ConsumerGroup, [.. storage.Select(entry => entry.Id)]);
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, new byte[100]);
        var last = await forwarding.ReadNewAsync("forwarder", count: 500, maxBytes: MiB);
        await forwarding.AcknowledgeAsync([.. last.Select(entry => entry.Id.ToString())], CancellationToken.None);
        Assert.Equal(1, await stack.Redis.StreamLengthAsync(key));
    }

    [Fact]
    public async Task Keeping_entries_in_work_touches_only_those_the_consumer_still_owns()
    {
        var (stream, key) = await NewStreamAsync();
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, new byte[100]);
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, new byte[100]);
        var read = await stream.ReadNewAsync("slow", count: 500, maxBytes: MiB);
        Assert.Equal(2, read.Length);

        // Another consumer took the second over while the first stalled.
        await stack.Redis.StreamClaimIdsOnlyAsync(key, "tests", "other", 0, [read[1].Id]);
        await stream.KeepAsync("slow", [.. read.Select(entry => entry.Id)], CancellationToken.None);

        var owners = await stack.Redis.StreamPendingMessagesAsync(key, "tests", 10, RedisValue.Null);
        Assert.Equal("slow", owners.Single(pending => pending.MessageId == read[0].Id).ConsumerName);
        Assert.Equal("other", owners.Single(pending => pending.MessageId == read[1].Id).ConsumerName);
    }

    [Fact]
    public async Task Consumers_holding_nothing_and_idle_past_the_claim_time_leave_the_group_while_those_holding_entries_stay()
    {
        // A SIGKILLed worker cannot hand back and leave as a stopping one does: once its entries are claimed, its
        // consumer would otherwise stay in the group for good, one more for every crash.
        // Long enough that the consumers that must stay cannot pass it between the script and the check after it, even
        // with a stall of a few seconds on a loaded machine.
        var idleTime = TimeSpan.FromSeconds(5);
        var (stream, key) = await NewStreamAsync();
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, new byte[100]);
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, new byte[100]);
        Assert.Single(await stream.ReadNewAsync("crashed-holding", count: 1, maxBytes: MiB));
        var emptied = await stream.ReadNewAsync("crashed-emptied", count: 1, maxBytes: MiB);
        await stack.Redis.StreamClaimIdsOnlyAsync(key, "tests", "claimer", 0, [emptied.Single().Id]);
        await stream.EnsureConsumerGroupAsync("survivor");

        await Task.Delay(idleTime * 2);
        await stream.EnsureConsumerGroupAsync("just-joined");
        var forgotten = await stream.ForgetIdleConsumersAsync("survivor", idleTime);

        // "reader" (which made the group) and "crashed-emptied" hold nothing and have been idle. "survivor", the one
        // forgetting, stays however idle, and with its idle time started afresh, so that the others' next call does not
        // take it for gone.
        Assert.Equal(2, forgotten);
        var consumers = (await stack.Redis.StreamConsumerInfoAsync(key, "tests")).ToDictionary(consumer => (string)consumer.Name!);
        Assert.Equal(["claimer", "crashed-holding", "just-joined", "survivor"], consumers.Keys.Order());
        Assert.InRange(consumers["survivor"].IdleTimeInMilliseconds, 0, (long)idleTime.TotalMilliseconds - 1);
        Assert.Equal(2, (await stack.Redis.StreamPendingAsync(key, "tests")).PendingMessageCount);
    }

    [Fact]
    public async Task A_group_is_created_with_its_consumer_in_it_and_creating_it_again_keeps_what_it_has_read()
    {
        // A group with no consumer yet would look to StaleConsumerGroups like one whose consumers all went quiet.
        var (stream, key) = await NewStreamAsync();
        Assert.Equal(["reader"], (await stack.Redis.StreamConsumerInfoAsync(key, "tests")).Select(consumer => (string)consumer.Name!));

        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, new byte[100]);
        Assert.Single(await stream.ReadNewAsync("reader", count: 500, maxBytes: MiB));
        await stream.EnsureConsumerGroupAsync("another");
        Assert.Empty(await stream.ReadNewAsync("another", count: 500, maxBytes: MiB));
        Assert.Equal(["another", "reader"], (await stack.Redis.StreamConsumerInfoAsync(key, "tests")).Select(consumer => (string)consumer.Name!).Order());
    }

    [Fact]
    public async Task A_worker_started_while_redis_is_full_still_joins_its_group_so_it_can_drain_what_filled_redis()
    {
        var (stream, key) = await NewStreamAsync();
        await stack.WhileRedisIsFullAsync(() => stream.EnsureConsumerGroupAsync("restarted"));

        Assert.Contains("restarted", (await stack.Redis.StreamConsumerInfoAsync(key, "tests")).Select(consumer => (string)consumer.Name!));
    }

    [Fact]
    public async Task Forgetting_idle_consumers_works_while_redis_is_full_even_when_nothing_is_forgotten()
    {
        // With nothing to remove, joining again is the script's first write, which a full Redis refuses unless the
        // script is allowed past maxmemory; the drain loop would then stop at every claim round, when draining is what
        // frees Redis.
        var (stream, key) = await NewStreamAsync();
        var forgotten = 0;
        await stack.WhileRedisIsFullAsync(async () => forgotten = await stream.ForgetIdleConsumersAsync("running", TimeSpan.FromMinutes(1)));

        Assert.Equal(0, forgotten);
        Assert.Equal(["reader", "running"], (await stack.Redis.StreamConsumerInfoAsync(key, "tests")).Select(consumer => (string)consumer.Name!).Order());
    }

    [Fact]
    public async Task A_poison_entry_is_dead_lettered_while_redis_is_full_so_its_batch_does_not_wait_for_room()
    {
        // An entry is moved once, so the dead letters outgrow maxmemory by no more than the poison entries; refused, the
        // move would hold its batch, and the drain that frees Redis, until something else made room.
        var (stream, key, entry) = await ReadOnePoisonEntryAsync();
        await stack.WhileRedisIsFullAsync(() => stream.DeadLetterAsync(entry, "test", CancellationToken.None));

        Assert.Single(await stack.Redis.StreamRangeAsync($"{key}:dead"));
        Assert.Equal(0, (await stack.Redis.StreamPendingAsync(key, "tests")).PendingMessageCount);
    }

    [Fact]
    public async Task A_dead_letter_sent_again_after_its_answer_was_lost_is_written_once()
    {
        // The outage policy retries a dead letter whose answer timed out, though Redis may have run it: the second run
        // must find the entry moved, not copy it again (a script's writes are not undone by a later error either).
        var (stream, key, entry) = await ReadOnePoisonEntryAsync();

        await stream.DeadLetterAsync(entry, "test", CancellationToken.None);
        await stream.DeadLetterAsync(entry, "test", CancellationToken.None);

        Assert.Single(await stack.Redis.StreamRangeAsync($"{key}:dead"));
    }

    [Fact]
    public async Task Entries_read_before_the_stream_was_deleted_are_acknowledged_and_dead_lettered_once_without_an_error()
    {
        // Deleted by hand (or lost with a Redis restarted without its data) while a batch was in flight: its entries
        // are gone with the stream, a dead letter keeps its copy, and nothing is left to retry.
        var (stream, key) = await NewStreamAsync();
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, "stored");
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, "poison");
        var batch = await stream.ReadNewAsync("reader", count: 500, maxBytes: MiB);
        await stack.Redis.KeyDeleteAsync(key);

        await stream.AcknowledgeAsync([batch[0].Id.ToString()], CancellationToken.None);
        await stream.DeadLetterAsync(batch[1], "test", CancellationToken.None);

        Assert.Single(await stack.Redis.StreamRangeAsync($"{key}:dead"));
        Assert.False(await stack.Redis.KeyExistsAsync(key));
    }

    [Fact]
    public async Task A_group_made_to_start_where_another_group_is_reads_only_what_arrives_after_that_groups_position()
    {
        // A forwarding destination added to a running deployment: the storage's group has read two entries, a third
        // is on its way; the new destination is sent what arrives from now on, not the stream's retained backlog.
        var (storage, key) = await NewStreamAsync();
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, "stored before");
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, "stored before");
        Assert.Equal(2, (await storage.ReadNewAsync("reader", count: 500, maxBytes: MiB)).Length);
        var later = await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, "arrived since");

        var added = new ConsumerGroupStream(stack.Redis.Multiplexer, Subscription(key) with { Group = "added", StartsWhere = "tests" });
        await added.EnsureConsumerGroupAsync("forwarder");

        Assert.Equal([later], (await added.ReadNewAsync("forwarder", count: 500, maxBytes: MiB)).Select(entry => entry.Id));
    }

    [Fact]
    public async Task A_group_made_to_start_where_a_missing_group_is_reads_from_the_streams_start()
    {
        // A fresh deployment whose forwarding subscription joins before the storage's: nothing is stored yet.
        var key = $"tests:consumer-group:{Guid.NewGuid():N}";
        _keys.AddRange([key, $"{key}:dead"]);
        var queued = await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, "queued before any worker ran");

        var forwarding = new ConsumerGroupStream(stack.Redis.Multiplexer, Subscription(key) with { Group = "forward", StartsWhere = "tests" });
        await forwarding.EnsureConsumerGroupAsync("forwarder");

        Assert.Equal([queued], (await forwarding.ReadNewAsync("forwarder", count: 500, maxBytes: MiB)).Select(entry => entry.Id));
    }

    private async Task<(ConsumerGroupStream Stream, string Key)> NewStreamAsync()
    {
        var key = $"tests:consumer-group:{Guid.NewGuid():N}";
        _keys.AddRange([key, $"{key}:dead"]);
        var stream = new ConsumerGroupStream(stack.Redis.Multiplexer, Subscription(key));
        await stream.EnsureConsumerGroupAsync("reader");
        return (stream, key);
    }

    private async Task AddEntriesAsync(string key, int count, int bodyBytes)
    {
        for (var i = 0; i < count; i++)
        {
            await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, new byte[bodyBytes]);
        }
    }

    /// <summary>A plain XREADGROUP of the tests' group, as one of <see cref="ConsumerGroupStream.ReadNewAsync"/>'s reads.</summary>
    private Task<StreamEntry[]> ReadForAsync(string key, string consumer, int count) =>
        stack.Redis.StreamReadGroupAsync(key, "tests", consumer, StreamPosition.NewMessages, count);

    private static DrainSubscription Subscription(string key) => new("tests", "tests", $"{key}:dead", new NoDeliveryHandler(), Stream: key);

    /// <summary>A new stream with one entry that is no delivery, read by the consumer <c>reader</c>.</summary>
    private async Task<(ConsumerGroupStream Stream, string Key, StreamEntry Entry)> ReadOnePoisonEntryAsync()
    {
        var (stream, key) = await NewStreamAsync();
        await stack.Redis.StreamAddAsync(key, WebhookStream.Fields.Body, "poison");
        return (stream, key, Assert.Single(await stream.ReadNewAsync("reader", count: 500, maxBytes: MiB)));
    }
}
