using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Persistence;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// Each exchange with PostgreSQL is a wait for its answer on two busy cores: a batch makes as few as it can. Counted as
/// Npgsql traces them (a command, a batch of statements or a COPY each), on the worker's persistence as it registers it.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class BatchExchangeTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task A_batch_of_every_event_type_is_stored_in_four_exchanges_the_last_of_which_commits()
    {
        using var host = await OneSessionWorkerPersistence.StartAsync(stack);
        var store = host.Services.GetRequiredService<WebhookEventStore>();
        var conversationId = NewConversationId();
        // A first batch on the session creates its staging tables; the one measured finds them.
        await store.StoreBatchAsync([Delivery(Sample(Ended, NewConversationId()))], CancellationToken.None);

        var exchanges = await TracedExchangesAsync(() => store.StoreBatchAsync(
            [Delivery(Sample(Ended, conversationId)), Delivery(Sample(Analysis, conversationId)), Delivery(Sample(Transferred, conversationId))],
            CancellationToken.None));

        // The svix ids already stored (with the staging tables created), the webhook_events COPY, the staging COPY,
        // the merge with its commit.
        Assert.True(exchanges.Count == 4, $"{exchanges.Count} exchanges:\n{string.Join("\n---\n", exchanges)}");
        Assert.EndsWith("COMMIT", exchanges[^1].TrimEnd(), StringComparison.Ordinal);
    }

    /// <summary>The text of each exchange Npgsql traces while <paramref name="store"/> runs, in order.</summary>
    private static async Task<List<string>> TracedExchangesAsync(Func<Task> store)
    {
        using var root = new Activity(nameof(BatchExchangeTests)).Start();
        var exchanges = new List<string>();
        using var listener = new ActivityListener
        {
            // Npgsql's source is process-wide: other tests' exchanges are told apart by their trace.
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent.TraceId == root.TraceId ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                lock (exchanges)
                {
                    exchanges.Add((activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement") ?? activity.DisplayName).ToString()!);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await store();
        lock (exchanges)
        {
            return [.. exchanges];
        }
    }
}
