using System.Diagnostics;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Worker.Streaming;

namespace PhonicAspire.Worker.Processing;

/// <summary>
/// Puts the worker's work into each delivery's own trace, continued from the trace context the API wrote into the
/// stream entry. A batch is one transaction, so its PostgreSQL spans can sit in one trace only: the first
/// delivery's. Every other delivery of the batch gets a processing span of its own, linked to the batch.
/// </summary>
public static class DeliveryTracing
{
    private const string StoreActivityName = "phonic.webhook store";
    private const string ProcessActivityName = "phonic.webhook process";

    public static Activity? StartBatch(IReadOnlyList<StreamDelivery> deliveries)
    {
        var links = deliveries.Skip(1)
            .Where(delivery => delivery.TraceContext != default)
            .Select(delivery => new ActivityLink(delivery.TraceContext));

        var activity = PhonicTracing.Source.StartActivity(
            StoreActivityName, ActivityKind.Consumer, deliveries[0].TraceContext, links: links);
        activity?.SetTag("messaging.system", "redis")
            .SetTag("messaging.batch.message_count", deliveries.Count)
            .SetTag("phonic.svix_id", deliveries[0].Webhook.SvixId)
            .SetTag("phonic.event_type", deliveries[0].Webhook.EventType)
            .SetTag("phonic.conversation_id", deliveries[0].ConversationId);
        return activity;
    }

    public static void RecordProcessed(Activity? batch, IReadOnlyList<StreamDelivery> deliveries, long startedTimestamp, TimeProvider timeProvider)
    {
        if (batch is null || deliveries.Count == 1)
        {
            return;
        }

        var started = timeProvider.GetUtcNow() - timeProvider.GetElapsedTime(startedTimestamp);
        var batchLink = new[] { new ActivityLink(batch.Context) };
        foreach (var delivery in deliveries.Skip(1).Where(delivery => delivery.TraceContext != default))
        {
            using var activity = PhonicTracing.Source.StartActivity(
                ProcessActivityName, ActivityKind.Consumer, delivery.TraceContext, links: batchLink, startTime: started);
            activity?.SetTag("phonic.svix_id", delivery.Webhook.SvixId)
                .SetTag("phonic.event_type", delivery.Webhook.EventType)
                .SetTag("phonic.conversation_id", delivery.ConversationId);
        }
    }
}
