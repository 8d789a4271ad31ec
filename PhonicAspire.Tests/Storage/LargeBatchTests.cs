using Microsoft.EntityFrameworkCore;
using PhonicAspire.Tests.Infrastructure;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

public sealed class LargeBatchTests(PhonicStackFixture stack) : StorageTests(stack)
{
    private const int BatchSize = 1_000;

    [Fact]
    public async Task Thousand_events_are_stored_in_one_batch()
    {
        // A realistic mix: mostly ended conversations, some with their analysis or transfer in the same batch.
        var conversationIds = Enumerable.Range(0, BatchSize / 2).Select(_ => NewConversationId()).ToArray();
        var batch = conversationIds
            .SelectMany((conversationId, index) => new[]
            {
                Delivery(Sample(Ended, conversationId)),
                Delivery(Sample(index % 2 == 0 ? Analysis : Transferred, conversationId)),
            })
            .ToArray();

        var result = await Harness.StoreAsync(batch);

        Assert.Equal(BatchSize, result.Stored.Count);
        Assert.Empty(result.Duplicates);
        var ids = batch.Select(delivery => delivery.SvixId).ToArray();
        Assert.Equal(BatchSize, await Harness.QueryAsync(context => context.WebhookEvents.CountAsync(row => ids.Contains(row.SvixId))));
        Assert.Equal(BatchSize / 2, await Harness.QueryAsync(context =>
            context.Conversations.CountAsync(row => conversationIds.Contains(row.Id) && row.EndedEventSvixId != null)));
        Assert.Equal(BatchSize / 2 * 3, await Harness.QueryAsync(context =>
            context.ConversationItems.CountAsync(row => conversationIds.Contains(row.ConversationId))));
        Assert.Equal(BatchSize / 2, await Harness.QueryAsync(context =>
            context.ToolCalls.CountAsync(row => conversationIds.Contains(row.ConversationId))));
    }
}
