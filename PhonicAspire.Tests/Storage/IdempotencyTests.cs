using Microsoft.EntityFrameworkCore;
using PhonicAspire.Tests.Infrastructure;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>Svix delivers at least once: a svix id seen before is reported as a duplicate and changes nothing.</summary>
public sealed class IdempotencyTests(PhonicStackFixture stack) : StorageTests(stack)
{
    [Fact]
    public async Task Same_svix_id_in_a_later_batch_is_a_duplicate()
    {
        var delivery = Delivery(Sample(Ended, NewConversationId()));

        var first = await Harness.StoreAsync(delivery);
        var second = await Harness.StoreAsync(delivery);

        Assert.Equal([delivery.SvixId], first.Stored.Select(kept => kept.SvixId));
        Assert.Empty(second.Stored);
        Assert.Equal([delivery.SvixId], second.Duplicates);
        Assert.Equal(1, await Harness.QueryAsync(context => context.WebhookEvents.CountAsync(row => row.SvixId == delivery.SvixId)));
    }

    [Fact]
    public async Task Same_svix_id_twice_in_one_batch_is_stored_once()
    {
        var delivery = Delivery(Sample(Analysis, NewConversationId()));

        var result = await Harness.StoreAsync(delivery, delivery);

        Assert.Equal([delivery.SvixId], result.Stored.Select(kept => kept.SvixId));
        Assert.Equal([delivery.SvixId], result.Duplicates);
        Assert.Equal(1, await Harness.QueryAsync(context => context.WebhookEvents.CountAsync(row => row.SvixId == delivery.SvixId)));
    }

    [Fact]
    public async Task A_requeue_in_one_batch_with_a_redelivery_of_its_event_is_stored_anew_whichever_comes_first()
    {
        // The redelivery: its first entry, stored but not acknowledged before a crash, claimed into the same batch as
        // the operator's requeue of it.
        foreach (var requeueFirst in new[] { false, true })
        {
            var delivery = Delivery(Sample(Ended, NewConversationId()));
            await Harness.StoreAsync(delivery);
            var requeue = delivery with { Reprocess = true };

            var result = await Harness.StoreAsync(requeueFirst ? [requeue, delivery] : [delivery, requeue]);

            Assert.Equal([delivery.SvixId], result.Stored.Select(kept => kept.SvixId));
            Assert.Equal([delivery.SvixId], result.Duplicates);
        }
    }

    [Fact]
    public async Task A_duplicate_does_not_update_the_conversation_again()
    {
        var conversationId = NewConversationId();
        var older = Delivery(Sample(Ended, conversationId, "2025-07-14T11:36:33.000Z"));
        var newer = Delivery(Sample(Ended, conversationId, "2025-07-14T11:36:34.000Z"));
        // A retry of the older event carrying a newer body must not win: the svix id alone decides it was seen.
        var retryOfOlderWithOtherBody = older with { Body = Sample(Ended, conversationId, "2025-07-14T11:36:59.000Z") };

        await Harness.StoreAsync(older);
        await Harness.StoreAsync(newer);
        var result = await Harness.StoreAsync(retryOfOlderWithOtherBody);

        Assert.Equal([older.SvixId], result.Duplicates);
        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal(newer.SvixId, conversation.EndedEventSvixId);
        var stored = await Harness.QueryAsync(context => context.WebhookEvents.SingleAsync(row => row.SvixId == older.SvixId));
        Assert.Equal(older.Body.ToArray(), stored.RawBody);
    }

    [Fact]
    public async Task Two_workers_storing_the_same_batch_at_once_store_each_event_once()
    {
        var batch = Enumerable.Range(0, 200).Select(_ => Delivery(Sample(Ended, NewConversationId()))).ToArray();
        var reversed = batch.Reverse().ToArray();

        var results = await Task.WhenAll(Task.Run(() => Harness.StoreAsync(batch)), Task.Run(() => Harness.StoreAsync(reversed)));

        var ids = batch.Select(delivery => delivery.SvixId).Order().ToArray();
        Assert.Equal(ids, results.SelectMany(result => result.Stored.Select(kept => kept.SvixId)).Order());
        Assert.Equal(ids, results.SelectMany(result => result.Duplicates).Order());
        Assert.Equal(ids.Length, await Harness.QueryAsync(context => context.WebhookEvents.CountAsync(row => ids.Contains(row.SvixId))));
    }

    [Fact]
    public async Task Stored_and_duplicate_ids_are_reported_together()
    {
        var known = Delivery(Sample(Transferred, NewConversationId()));
        await Harness.StoreAsync(known);
        var fresh = Delivery(Sample(Transferred, NewConversationId()));

        var result = await Harness.StoreAsync(known, fresh, fresh);

        Assert.Equal([fresh.SvixId], result.Stored.Select(kept => kept.SvixId));
        Assert.Equal([known.SvixId, fresh.SvixId], result.Duplicates);
    }
}
