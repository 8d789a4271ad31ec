using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// Ordering is best effort: whatever order a conversation's events arrive in, and however often, its row ends
/// the same, each event type writing only its own columns and never over newer data.
/// </summary>
public sealed class EventOrderTests(PhonicStackFixture stack) : StorageTests(stack)
{
    [Fact]
    public async Task Analysis_before_ended_and_ended_before_analysis_give_the_same_row()
    {
        var first = await ConversationAfter(EventsOfOneConversation(), order: [0, 1, 2]);
        var second = await ConversationAfter(EventsOfOneConversation(), order: [1, 2, 0]);
        var third = await ConversationAfter(EventsOfOneConversation(), order: [2, 1, 0]);

        Assert.Equal(first, second);
        Assert.Equal(first, third);
    }

    [Fact]
    public async Task Events_repeated_in_any_order_give_the_same_row()
    {
        var first = await ConversationAfter(EventsOfOneConversation(), order: [0, 1, 2]);
        var repeated = await ConversationAfter(EventsOfOneConversation(), order: [2, 0, 0, 1, 2, 1, 0]);

        Assert.Equal(first, repeated);
    }

    [Fact]
    public async Task All_events_of_a_conversation_in_one_batch_give_the_same_row()
    {
        var oneByOne = await ConversationAfter(EventsOfOneConversation(), order: [0, 1, 2]);

        var (conversationId, events) = EventsOfOneConversation();
        await Harness.StoreAsync(events[2], events[0], events[1], events[0]);
        var inOneBatch = await Snapshot(conversationId, events);

        Assert.Equal(oneByOne, inOneBatch);
    }

    [Fact]
    public async Task An_older_ended_arriving_later_does_not_overwrite_the_newer()
    {
        var conversationId = NewConversationId();
        var newer = Delivery(Sample(Ended, conversationId, "2025-07-14T11:40:00.000Z"));
        var olderBody = Replace(Sample(Ended, conversationId, "2025-07-14T11:36:00.000Z"), "\"ended_by\":\"user\"", "\"ended_by\":\"assistant\"");
        olderBody = Replace(olderBody, "\"item_idx\":2", "\"item_idx\":7");
        var older = Delivery(olderBody);

        await Harness.StoreAsync(newer);
        var result = await Harness.StoreAsync(older);

        Assert.Equal([older.SvixId], result.Stored.Select(kept => kept.SvixId));
        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal("user", conversation.EndedBy);
        Assert.Equal(newer.SvixId, conversation.EndedEventSvixId);
        Assert.Equal([0, 1, 2], await ItemIndexes(conversationId));
    }

    [Fact]
    public async Task A_newer_ended_replaces_items_and_tool_calls()
    {
        var conversationId = NewConversationId();
        var older = Delivery(Sample(Ended, conversationId, "2025-07-14T11:36:00.000Z"));
        var newerBody = Replace(Sample(Ended, conversationId, "2025-07-14T11:40:00.000Z"), "\"item_idx\":2", "\"item_idx\":7");
        var newer = Delivery(Replace(newerBody, "\"ended_by\":\"user\"", "\"ended_by\":\"assistant\""));

        await Harness.StoreAsync(older);
        await Harness.StoreAsync(newer);

        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal("assistant", conversation.EndedBy);
        Assert.Equal([0, 1, 7], await ItemIndexes(conversationId));
        var toolCall = Assert.Single(await Harness.QueryAsync(context =>
            context.ToolCalls.Where(call => call.ConversationId == conversationId).ToListAsync()));
        Assert.Equal(7, toolCall.ItemIdx);
    }

    [Fact]
    public async Task Events_requeued_together_after_a_parse_that_read_the_earlier_one_a_day_late_end_on_the_later_one()
    {
        var conversationId = NewConversationId();
        var earlier = Delivery(Sample(Ended, conversationId, "2025-07-14T11:36:00.000Z"));
        var later = Delivery(Replace(Sample(Ended, conversationId, "2025-07-14T11:40:00.000Z"), "\"ended_by\":\"user\"", "\"ended_by\":\"assistant\""));
        await Harness.StoreAsync(earlier);
        await Harness.StoreAsync(later);

        // What that parser left: the earlier event's row a day late, and its version on the conversation, over which
        // the later event was refused as older.
        await using (var connection = await Stack.OpenDatabaseAsync())
        await using (var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("UPDATE webhook_events SET created_at = created_at + interval '1 day' WHERE svix_id = $1") { Parameters = { new() { Value = earlier.SvixId } } },
                new("UPDATE conversations SET ended_by = 'user', ended_event_svix_id = $1, ended_event_created_at = ended_event_created_at + interval '1 day' - interval '4 minutes' WHERE id = $2")
                {
                    Parameters = { new() { Value = earlier.SvixId }, new() { Value = conversationId } },
                },
            },
        })
        {
            await batch.ExecuteNonQueryAsync();
        }

        // A requeue of both after the fix: stored anew, in one batch.
        await Harness.StoreAsync(earlier with { Reprocess = true }, later with { Reprocess = true });

        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal(later.SvixId, conversation.EndedEventSvixId);
        Assert.Equal("assistant", conversation.EndedBy);
    }

    [Fact]
    public async Task Newest_of_several_ended_events_in_one_batch_wins()
    {
        var conversationId = NewConversationId();
        var bodies = new[] { "11:36:01", "11:36:03", "11:36:02" }
            .Select(time => Replace(
                Sample(Ended, conversationId, $"2025-07-14T{time}.000Z"),
                "\"duration_ms\":46537", $"\"duration_ms\":{time[^1..]}"))
            .ToArray();

        await Harness.StoreAsync([.. bodies.Select(body => Delivery(body))]);

        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal(3, conversation.DurationMs);
    }

    [Fact]
    public async Task An_event_without_created_at_ranks_with_one_at_the_earliest_time_alike_in_one_batch_and_across_batches()
    {
        var inOneBatch = await InterruptionsAfterAsync((dated, undated) => Harness.StoreAsync(dated, undated));
        var datedFirst = await InterruptionsAfterAsync(async (dated, undated) =>
        {
            await Harness.StoreAsync(dated);
            await Harness.StoreAsync(undated);
        });
        var undatedFirst = await InterruptionsAfterAsync(async (dated, undated) =>
        {
            await Harness.StoreAsync(undated);
            await Harness.StoreAsync(dated);
        });

        Assert.Equal(datedFirst, undatedFirst);
        Assert.Equal(datedFirst, inOneBatch);
    }

    /// <summary>
    /// A conversation's analysis dated at the earliest time there is (a sender's default date, stored as -infinity),
    /// with two interruptions, and one without <c>created_at</c>, with one, stored by <paramref name="store"/>; the
    /// interruptions its row ends with. Their times tie, so the greater svix id, the undated one's, is the newer.
    /// </summary>
    private async Task<int?> InterruptionsAfterAsync(Func<QueuedDelivery, QueuedDelivery, Task> store)
    {
        var conversationId = NewConversationId();
        string[] svixIds = [.. new[] { SignedWebhook.NewSvixId(), SignedWebhook.NewSvixId() }.Order(StringComparer.Ordinal)];
        var datedBody = Replace(Sample(Analysis, conversationId, "0001-01-01T00:00:00Z"), "\"interruptions_count\":1", "\"interruptions_count\":2");
        var undatedBody = Replace(Sample(Analysis, conversationId, "undated"), "\"created_at\":\"undated\",", "");
        await store(Delivery(datedBody, svixId: svixIds[0]), Delivery(undatedBody, svixId: svixIds[1]));

        return await Harness.QueryAsync(context => context.Conversations.Where(row => row.Id == conversationId).Select(row => row.InterruptionsCount).SingleAsync());
    }

    private (string ConversationId, QueuedDelivery[] Events) EventsOfOneConversation()
    {
        var conversationId = NewConversationId();
        return (conversationId,
        [
            Delivery(Sample(Ended, conversationId)),
            Delivery(Sample(Analysis, conversationId)),
            Delivery(Sample(Transferred, conversationId)),
        ]);
    }

    private async Task<string> ConversationAfter((string ConversationId, QueuedDelivery[] Events) conversation, int[] order)
    {
        foreach (var index in order)
        {
            await Harness.StoreAsync(conversation.Events[index]);
        }

        return await Snapshot(conversation.ConversationId, conversation.Events);
    }

    // The row, its items and tool calls as JSON, with this conversation's ids replaced by placeholders so that
    // rows of different conversations can be compared.
    private async Task<string> Snapshot(string conversationId, QueuedDelivery[] events)
    {
        var snapshot = await Harness.QueryAsync(async context => new
        {
            Conversation = await context.Conversations.SingleAsync(row => row.Id == conversationId),
            Items = await context.ConversationItems.Where(row => row.ConversationId == conversationId).OrderBy(row => row.ItemIdx).ToListAsync(),
            ToolCalls = await context.ToolCalls.Where(row => row.ConversationId == conversationId).OrderBy(row => row.ItemIdx).ThenBy(row => row.CallIdx).ToListAsync(),
        });
        var json = JsonSerializer.Serialize(snapshot).Replace(conversationId, "{conversation}", StringComparison.Ordinal);
        for (var index = 0; index < events.Length; index++)
        {
            json = json.Replace(events[index].SvixId, $"{{event {index}}}", StringComparison.Ordinal);
        }

        return json;
    }

    private Task<List<int>> ItemIndexes(string conversationId) => Harness.QueryAsync(context =>
        context.ConversationItems.Where(item => item.ConversationId == conversationId).OrderBy(item => item.ItemIdx)
            .Select(item => item.ItemIdx).ToListAsync());
}
