using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Storing;
using StackExchange.Redis;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// phonic.events.receipt_to_commit, the end-to-end target's measure, has one value for each event a commit stores as it
/// arrived, taken from the delivery the batch kept.
/// </summary>
public sealed class CommitLatencyMetricTests(PhonicStackFixture stack) : StorageTests(stack)
{
    [Fact]
    public async Task An_event_delivered_twice_in_one_batch_is_measured_once_from_the_delivery_stored()
    {
        var first = Delivery(Sample(Ended, NewConversationId()));
        // Svix's retry of the same event, read into the same batch: stored once, acknowledged twice.
        var retry = first with { ReceivedAt = ReceivedAt.AddMilliseconds(30) };
        var other = Delivery(Sample(Ended, NewConversationId()));

        var measured = await StoreAndMeasureAsync(committedAt: ReceivedAt.AddMilliseconds(40), first, retry, other);

        Assert.Equal([40.0, 40.0], measured);
    }

    [Fact]
    public async Task An_event_an_operator_put_back_is_stored_without_a_measure_of_its_first_receipt()
    {
        var requeued = Delivery(Sample(Ended, NewConversationId())) with { Reprocess = true };

        var measured = await StoreAndMeasureAsync(committedAt: ReceivedAt.AddDays(3), requeued);

        Assert.Equal(1, await Harness.QueryAsync(context => context.WebhookEvents.CountAsync(stored => stored.SvixId == requeued.SvixId)));
        Assert.Empty(measured);
    }

    /// <summary>Has the worker's storage handler store the batch at <paramref name="committedAt"/>; returns what it recorded.</summary>
    private async Task<IEnumerable<double>> StoreAndMeasureAsync(DateTimeOffset committedAt, params QueuedDelivery[] batch)
    {
        await using var services = await HandlerServices.StartAsync(Stack, $"latency_{Guid.NewGuid():N}", new FakeTimeProvider(committedAt));
        using var receiptToCommit = new MetricCollector<double>(
            services.GetRequiredService<IMeterFactory>(), PhonicMetrics.MeterName, "phonic.events.receipt_to_commit");
        var outcomes = new DeliveryOutcomes(
            [.. batch.Select((delivery, index) => (delivery, new StreamEntry($"{index + 1}-0", [])))],
            (_, _) => Task.CompletedTask, (_, _, _) => Task.CompletedTask, _ => { });

        await services.GetRequiredService<PostgresDeliveryHandler>().HandleAsync(batch, outcomes, CancellationToken.None);

        return [.. receiptToCommit.GetMeasurementSnapshot().Select(measurement => measurement.Value)];
    }
}
