using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Tests.Infrastructure;
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
        var clock = new FakeTimeProvider(ReceivedAt.AddMilliseconds(40));
        await using var services = await HandlerServices.StartAsync(Stack, $"latency_{Guid.NewGuid():N}", clock);
        using var receiptToCommit = new MetricCollector<double>(
            services.GetRequiredService<IMeterFactory>(), PhonicMetrics.MeterName, "phonic.events.receipt_to_commit");
        var first = Delivery(Sample(Ended, NewConversationId()));
        // Svix's retry of the same event, read into the same batch: stored once, acknowledged twice.
        var retry = first with { ReceivedAt = ReceivedAt.AddMilliseconds(30) };
        var other = Delivery(Sample(Ended, NewConversationId()));
        var outcomes = new DeliveryOutcomes(
            [(first, new StreamEntry("1-0", [])), (retry, new StreamEntry("2-0", [])), (other, new StreamEntry("3-0", []))],
            (_, _) => Task.CompletedTask, (_, _, _) => Task.CompletedTask, _ => { });

        await services.GetRequiredService<PostgresDeliveryHandler>().HandleAsync([first, retry, other], outcomes, CancellationToken.None);

        Assert.Equal([40.0, 40.0], receiptToCommit.GetMeasurementSnapshot().Select(measurement => measurement.Value));
    }

    [Fact]
    public async Task An_event_an_operator_put_back_is_stored_without_a_measure_of_its_first_receipt()
    {
        var clock = new FakeTimeProvider(ReceivedAt.AddDays(3));
        await using var services = await HandlerServices.StartAsync(Stack, $"latency_{Guid.NewGuid():N}", clock);
        using var receiptToCommit = new MetricCollector<double>(
            services.GetRequiredService<IMeterFactory>(), PhonicMetrics.MeterName, "phonic.events.receipt_to_commit");
        var requeued = Delivery(Sample(Ended, NewConversationId())) with { Reprocess = true };
        var outcomes = new DeliveryOutcomes([(requeued, new StreamEntry("1-0", []))], (_, _) => Task.CompletedTask, (_, _, _) => Task.CompletedTask, _ => { });

        await services.GetRequiredService<PostgresDeliveryHandler>().HandleAsync([requeued], outcomes, CancellationToken.None);

        Assert.Equal(1, await Harness.QueryAsync(context => context.WebhookEvents.CountAsync(stored => stored.SvixId == requeued.SvixId)));
        Assert.Empty(receiptToCommit.GetMeasurementSnapshot());
    }
}
