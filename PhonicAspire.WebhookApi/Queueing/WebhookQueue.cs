using System.Diagnostics;
using Microsoft.Extensions.Options;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Queueing.Durability;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Queueing;

/// <summary>
/// Appends a verified delivery to the webhook stream through <see cref="StreamAppender"/> (the duplicate check, the
/// XADD and the remembering of the svix id, atomically); Redis runs with <c>appendfsync always</c>, so its answer
/// means the entry is on disk.
/// </summary>
public sealed class WebhookQueue(StreamAppender appender, IOptions<WebhookOptions> options)
{
    private const string EnqueueActivityName = "XADD " + WebhookStream.Name;

    /// <exception cref="QueueAppendException">The append was refused, failed or not answered in time.</exception>
    public async Task<EnqueueResult> EnqueueAsync(QueuedDelivery delivery, CancellationToken cancellationToken)
    {
        // The producer span: the worker continues the trace from it, so its span sits under this XADD.
        using var activity = PhonicTracing.Source.StartActivity(EnqueueActivityName, ActivityKind.Producer);
        activity?.SetTag("db.system", "redis")
            .SetTag("db.operation.name", "XADD")
            .SetTag("messaging.system", "redis")
            .SetTag("messaging.destination.name", WebhookStream.Name)
            .SetTag("phonic.svix_id", delivery.SvixId);
        var traceContext = Activity.Current;
        var arguments = DeliveryEntry.ToCountedArguments(
            delivery with { TraceParent = traceContext?.Id, TraceState = traceContext?.TraceStateString });

        RedisResult result;
        try
        {
            result = await appender.AppendAsync(delivery.SvixId, arguments, options.Value.QueueTimeout, cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever failed it (Redis, the client refusing the command itself, a reply of another shape), the
            // delivery was not taken: 503 for Svix to retry, not a 500 that leaves its body's share of the budget held.
            throw new QueueAppendException(RedisMemoryPressure.IsOutOfMemory(exception), exception);
        }

        if (result.Resp2Type == ResultType.Error)
        {
            var refusal = new RedisServerException(result.ToString());
            throw new QueueAppendException(RedisMemoryPressure.IsOutOfMemory(refusal), refusal);
        }

        var outcome = result.IsNull ? EnqueueResult.Duplicate : EnqueueResult.Queued;
        activity?.SetTag("phonic.enqueue.outcome", outcome == EnqueueResult.Queued ? "queued" : "duplicate");
        return outcome;
    }
}
