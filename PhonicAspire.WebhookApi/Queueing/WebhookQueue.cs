using System.Diagnostics;
using Microsoft.Extensions.Options;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Queueing;

/// <summary>
/// Appends verified deliveries to the webhook stream with <see cref="EnqueueScript"/> (the duplicate check, the XADD
/// and the remembering of the svix id, atomically, in one round trip); Redis runs with <c>appendfsync always</c>, so
/// its reply means the entry is on disk.
/// </summary>
public sealed class WebhookQueue(IConnectionMultiplexer redis, IOptions<WebhookOptions> options)
{
    private const string EnqueueActivityName = "XADD " + WebhookStream.Name;

    private static readonly RedisKey StreamKey = WebhookStream.Name;

    public async Task<EnqueueResult> EnqueueAsync(QueuedDelivery delivery, CancellationToken cancellationToken)
    {
        var settings = options.Value;

        // The producer span: the worker continues the trace from it, so its span sits under this XADD.
        using var activity = PhonicTracing.Source.StartActivity(EnqueueActivityName, ActivityKind.Producer);
        activity?.SetTag("db.system", "redis")
            .SetTag("db.operation.name", "XADD")
            .SetTag("messaging.system", "redis")
            .SetTag("messaging.destination.name", WebhookStream.Name)
            .SetTag("phonic.svix_id", delivery.SvixId);
        var traceContext = Activity.Current;
        var arguments = DeliveryEntry.ToArguments(
            delivery with { TraceParent = traceContext?.Id, TraceState = traceContext?.TraceStateString },
            (long)settings.AcceptedIdRetention.TotalSeconds);

        var result = await redis.GetDatabase()
            .ScriptEvaluateAsync(EnqueueScript.Text, [StreamKey, WebhookStream.AcceptedKeyPrefix + delivery.SvixId], arguments)
            .WaitAsync(settings.QueueTimeout, cancellationToken);

        var outcome = result.IsNull ? EnqueueResult.Duplicate : EnqueueResult.Queued;
        activity?.SetTag("phonic.enqueue.outcome", outcome == EnqueueResult.Queued ? "queued" : "duplicate");
        return outcome;
    }
}

public enum EnqueueResult
{
    Queued,
    Duplicate,
}
