using System.Diagnostics;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Worker.Storing;

/// <summary>
/// Puts the worker's work into each delivery's own trace, continued from the trace context the API wrote into the
/// stream entry. A batch is one transaction, so its PostgreSQL spans can sit in one trace only: the first
/// delivery's. Every other delivery of the batch gets a processing span of its own, linked to the batch.
/// </summary>
public static class DeliveryTracing
{
    private const string StoreActivityName = "phonic.webhook store";
    private const string ProcessActivityName = "phonic.webhook process";

    public static Activity? StartBatch(IReadOnlyList<QueuedDelivery> deliveries)
    {
        var links = deliveries.Skip(1)
            .Select(delivery => delivery.TraceContext)
            .Where(context => context != default)
            .Select(context => new ActivityLink(context));

        var activity = PhonicTracing.Source.StartActivity(
            StoreActivityName, ActivityKind.Consumer, deliveries[0].TraceContext, links: links);
        activity?.SetTag("messaging.system", "redis")
            .SetTag("messaging.batch.message_count", deliveries.Count)
            .SetTag("phonic.svix_id", deliveries[0].SvixId)
            .SetTag("phonic.event_type", deliveries[0].EventType)
            .SetTag("phonic.conversation_id", deliveries[0].ConversationId);
        return activity;
    }

    public static void RecordProcessed(Activity? batch, IReadOnlyList<QueuedDelivery> deliveries, long startedTimestamp, TimeProvider timeProvider)
    {
        if (batch is null || deliveries.Count == 1)
        {
            return;
        }

        var started = timeProvider.GetUtcNow() - timeProvider.GetElapsedTime(startedTimestamp);
        var batchLink = new[] { new ActivityLink(batch.Context) };
        foreach (var delivery in deliveries.Skip(1))
        {
            var context = delivery.TraceContext;
            if (context == default)
            {
                continue;
            }

            using var activity = PhonicTracing.Source.StartActivity(
                ProcessActivityName, ActivityKind.Consumer, context, links: batchLink, startTime: started);
            activity?.SetTag("phonic.svix_id", delivery.SvixId)
                .SetTag("phonic.event_type", delivery.EventType)
                .SetTag("phonic.conversation_id", delivery.ConversationId);
        }
    }
}
