using System.Net;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Tests.Infrastructure.Otlp;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// What operators see in the dashboard, checked on the OTLP the services really export: one trace per delivery
/// from the API's request to the worker's PostgreSQL writes, and PhonicAspire's own metrics.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class TelemetryTests(PhonicStackFixture stack)
{
    private const int ServerKind = 2;
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task One_delivery_is_one_trace_from_the_api_request_to_the_postgres_writes()
    {
        using var client = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        using var response = await client.SendAsync(webhook.ToRequest());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        var spans = await stack.Telemetry.WaitForSpansAsync(spans => TraceOf(spans, webhook.SvixId) is { Complete: true }, ExportTimeout);
        var trace = TraceOf(spans, webhook.SvixId)!;

        Assert.Equal(trace.Request.SpanId, trace.Enqueue!.ParentSpanId);
        Assert.Equal(trace.Enqueue.SpanId, trace.Store!.ParentSpanId);
        Assert.Equal(trace.Store.SpanId, trace.Write!.ParentSpanId);
    }

    private static DeliveryTrace? TraceOf(IReadOnlyList<CollectedSpan> spans, string svixId)
    {
        var request = spans.FirstOrDefault(span => span.ServiceName == "webhookapi" && span.Kind == ServerKind
            && span.Attributes.GetValueOrDefault("phonic.svix_id") == svixId);
        if (request is null)
        {
            return null;
        }

        var trace = spans.Where(span => span.TraceId == request.TraceId).ToArray();
        var store = trace.FirstOrDefault(span => span.ServiceName == "worker" && span.Name == "phonic.webhook store");
        return new DeliveryTrace(
            request,
            trace.FirstOrDefault(span => span.ServiceName == "webhookapi" && span.Attributes.GetValueOrDefault("db.system") == "redis"),
            store,
            trace.FirstOrDefault(span => span.ServiceName == "worker" && span.ParentSpanId == store?.SpanId
                && span.ScopeName.Contains("Npgsql", StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The API's request span, its XADD (the producer span), the worker's store span and one of its PostgreSQL writes.</summary>
    private sealed record DeliveryTrace(CollectedSpan Request, CollectedSpan? Enqueue, CollectedSpan? Store, CollectedSpan? Write)
    {
        public bool Complete => Enqueue is not null && Store is not null && Write is not null;
    }

    [Fact]
    public async Task PhonicAspire_metrics_are_exported()
    {
        using var client = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
        using (var response = await client.SendAsync(webhook.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId);

        (string Service, string Metric)[] expected =
        [
            ("webhookapi", "phonic.webhook.deliveries"),
            ("webhookapi", "phonic.webhook.verification.duration"),
            ("worker", "phonic.events.stored"),
            ("worker", "phonic.events.receipt_to_commit"),
            ("worker", "phonic.stream.length"),
            ("worker", "phonic.stream.pending"),
            ("worker", "phonic.stream.oldest_pending_age"),
            ("worker", "phonic.stream.dead_letters"),
        ];
        var metrics = await stack.Telemetry.WaitForMetricsAsync(
            metrics => expected.All(wanted => metrics.Any(metric =>
                metric.ServiceName == wanted.Service && metric.MeterName == "PhonicAspire" && metric.Name == wanted.Metric)),
            ExportTimeout);

        // The API does not watch the stream; a zero from it would mislead any sum across services.
        Assert.DoesNotContain(metrics, metric => metric.ServiceName == "webhookapi" && metric.Name.StartsWith("phonic.stream.", StringComparison.Ordinal));
    }
}
