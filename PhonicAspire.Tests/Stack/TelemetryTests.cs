using System.Net;
using PhonicAspire.Testing.Otlp;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// What operators see in the dashboard, checked on the OTLP the services really export: one trace per delivery
/// from the API's request to the worker's PostgreSQL writes, PhonicAspire's own metrics with their values, and no
/// secret or personal data in any of it.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class TelemetryTests(PhonicStackFixture stack)
{
    private const int ServerKind = 2;
    private const int ProducerKind = 4;
    private const int ConsumerKind = 5;
    private const string EnqueueSpanName = "XADD " + WebhookStream.Name;
    // Begins the names of the staging tables and of what the merge reads from them (see StagingTables), which only a
    // batch's statements name, so it marks them wherever exported.
    private const string StagingPrefix = "staged_";
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Deliveries_stored_in_one_batch_are_each_one_trace_the_first_with_the_postgres_writes_the_others_linked_to_it()
    {
        using var client = stack.CreateApiClient();
        var first = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        var second = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());

        // Queued while the worker is stopped, so its next read takes both, in this order, as one batch.
        await using (await stack.StopAsync("worker"))
        {
            foreach (var webhook in new[] { first, second })
            {
                using var response = await client.SendAsync(webhook.ToRequest());
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
        }

        var spans = await stack.Telemetry.WaitForSpansAsync(
            spans => TraceOf(spans, first.SvixId) is { Store: not null, Write: not null } && TraceOf(spans, second.SvixId) is { Process: not null },
            ExportTimeout);
        var firstTrace = TraceOf(spans, first.SvixId)!;
        var secondTrace = TraceOf(spans, second.SvixId)!;

        Assert.NotEqual(firstTrace.Request.TraceId, secondTrace.Request.TraceId);
        Assert.Equal(firstTrace.Request.SpanId, firstTrace.Enqueue!.ParentSpanId);
        Assert.Equal(firstTrace.Enqueue.SpanId, firstTrace.Store!.ParentSpanId);
        Assert.Equal(firstTrace.Store.SpanId, firstTrace.Write!.ParentSpanId);
        Assert.Equal("2", firstTrace.Store.Attributes["messaging.batch.message_count"]);

        Assert.Equal(secondTrace.Request.SpanId, secondTrace.Enqueue!.ParentSpanId);
        Assert.Null(secondTrace.Store);
        Assert.Equal(secondTrace.Enqueue.SpanId, secondTrace.Process!.ParentSpanId);
        Assert.Contains((firstTrace.Store.TraceId, firstTrace.Store.SpanId), secondTrace.Process.Links);
        Assert.Contains((secondTrace.Enqueue.TraceId, secondTrace.Enqueue.SpanId), firstTrace.Store.Links);
    }

    [Fact]
    public async Task Health_probes_and_background_checks_start_no_trace_so_each_trace_begins_at_a_request_or_a_delivery()
    {
        // Probes run the health checks, which query PostgreSQL and Redis with no request span to hang under.
        using var worker = stack.CreateWorkerClient();
        using var api = stack.CreateApiClient();
        for (var i = 0; i < 3; i++)
        {
            // Each probe must be answered, or there would be no health check whose spans the test looks for.
            foreach (var (service, client) in new[] { ("worker", worker), ("webhookapi", api) })
            {
                var health = await HealthEndpoint.ReadAsync(client);
                Assert.True(health.Status != 0, $"{service}'s /health: {health.Body}");
            }
        }

        // A delivery afterwards: once its worker spans arrive, each service has exported what the probes started.
        var marker = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
        using (var response = await api.SendAsync(marker.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var spans = await stack.Telemetry.WaitForSpansAsync(spans => TraceOf(spans, marker.SvixId) is { Store: not null }, ExportTimeout);

        var roots = spans.Where(span => string.IsNullOrEmpty(span.ParentSpanId) && span.ServiceName is "webhookapi" or "worker").ToArray();
        Assert.NotEmpty(roots);
        Assert.All(roots, root => Assert.True(
            root.Kind is ServerKind or ConsumerKind,
            $"{root.ServiceName} started a trace with a {root.Kind} span '{root.Name}' ({root.ScopeName})"));
    }

    [Fact]
    public async Task The_worker_logs_none_of_the_statements_it_runs_for_a_batch_which_its_spans_already_show()
    {
        using var client = stack.CreateApiClient();
        var webhook = await AcceptedEndedEventAsync(client);

        await stack.Telemetry.WaitForSpansAsync(spans => TraceOf(spans, webhook.SvixId) is { Store: not null, Write: not null }, ExportTimeout);
        Assert.NotEmpty(stack.Telemetry.ExportsContaining(StagingPrefix));

        // A statement's log record is written before its span ends, and the worker exports its log records in the
        // order it wrote them: once a record it writes afterwards has arrived, any statement's would have too.
        await stack.WaitUntilWorkerLogsExportedAsync();
        Assert.Equal(0, stack.Telemetry.LogExportsContaining(StagingPrefix));
    }

    /// <summary>Sends a conversation.ended of a new conversation and checks that the API accepted it.</summary>
    private static async Task<SignedWebhook> AcceptedEndedEventAsync(HttpClient client)
    {
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        using var response = await client.SendAsync(webhook.ToRequest());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return webhook;
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
        var store = trace.FirstOrDefault(span => span.ServiceName == "worker" && span.Name == "phonic.webhook store" && span.Kind == ConsumerKind);
        return new DeliveryTrace(
            request,
            trace.FirstOrDefault(span => span.ServiceName == "webhookapi" && span.Name == EnqueueSpanName && span.Kind == ProducerKind),
            store,
            // The write of this delivery's own row: the COPY into webhook_events, under the store span.
            trace.FirstOrDefault(span => span.ServiceName == "worker" && span.ParentSpanId == store?.SpanId
                && span.Attributes.GetValueOrDefault("db.query.text")?.StartsWith("COPY webhook_events", StringComparison.Ordinal) == true),
            trace.FirstOrDefault(span => span.ServiceName == "worker" && span.Name == "phonic.webhook process" && span.Kind == ConsumerKind));
    }

    /// <summary>The API's request span, its XADD producer span, the worker's store span and its COPY, or the process span of a later batch member.</summary>
    private sealed record DeliveryTrace(CollectedSpan Request, CollectedSpan? Enqueue, CollectedSpan? Store, CollectedSpan? Write, CollectedSpan? Process);

    [Fact]
    public async Task Deliveries_are_counted_by_outcome_and_stored_events_by_the_worker_exactly_for_this_tests_deliveries()
    {
        using var client = stack.CreateApiClient();
        var before = await CountersAsync(DateTimeOffset.UtcNow);

        var accepted = Enumerable.Range(0, 3).Select(_ => SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId())).ToArray();
        foreach (var webhook in accepted)
        {
            using var response = await client.SendAsync(webhook.ToRequest());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        using (var retried = await client.SendAsync(SignedWebhook.Create(accepted[0].Body, accepted[0].SvixId).ToRequest()))
        {
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var forged = await client.SendAsync((accepted[i] with { SvixId = SignedWebhook.NewSvixId() }).ToRequest());
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        foreach (var webhook in accepted)
        {
            await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId);
        }

        var after = await CountersAsync(DateTimeOffset.UtcNow);
        Assert.Equal(new Counters(3, 1, 2, 3, 0), after - before);
    }

    /// <summary>
    /// The counters of the API's and the worker's current processes, from their first export after <paramref name="since"/>
    /// (a series that has not counted anything yet is absent: zero).
    /// </summary>
    private async Task<Counters> CountersAsync(DateTimeOffset since)
    {
        var points = await stack.Telemetry.WaitForDataPointsAsync(
            points => points.Any(point => point.ServiceName == "webhookapi" && point.Time > since)
                && points.Any(point => point.ServiceName == "worker" && point.Time > since),
            ExportTimeout);

        double Latest(string service, string metric, string? outcome = null)
        {
            var current = points.Where(point => point.ServiceName == service).MaxBy(point => point.TimeUnixNano)!.InstanceId;
            return points.Where(point => point.ServiceName == service && point.InstanceId == current && point.MetricName == metric
                    && point.MeterName == "PhonicAspire" && (outcome is null || point.Attributes.GetValueOrDefault("outcome") == outcome))
                .MaxBy(point => point.TimeUnixNano)?.Value ?? 0;
        }

        return new Counters(
            Latest("webhookapi", "phonic.webhook.deliveries", "accepted"),
            Latest("webhookapi", "phonic.webhook.deliveries", "duplicate"),
            Latest("webhookapi", "phonic.webhook.deliveries", "invalid_signature"),
            Latest("worker", "phonic.events.stored"),
            Latest("worker", "phonic.events.duplicates"));
    }

    private sealed record Counters(double Accepted, double Duplicate, double InvalidSignature, double Stored, double StoredDuplicates)
    {
        public static Counters operator -(Counters after, Counters before) => new(
            after.Accepted - before.Accepted, after.Duplicate - before.Duplicate, after.InvalidSignature - before.InvalidSignature,
            after.Stored - before.Stored, after.StoredDuplicates - before.StoredDuplicates);
    }

    [Fact]
    public async Task Batch_after_batch_the_worker_throws_no_exceptions()
    {
        const int Batches = 20;
        using var client = stack.CreateApiClient();
        var before = await WorkerExceptionsAsync(DateTimeOffset.UtcNow);

        // Each stored before the next is sent: a batch each.
        for (var i = 0; i < Batches; i++)
        {
            var webhook = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
            using var response = await client.SendAsync(webhook.ToRequest());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId);
        }

        var after = await WorkerExceptionsAsync(DateTimeOffset.UtcNow);
        // The same process, counting on: a restarted one would count from zero and hide what this one threw.
        Assert.Equal(before.InstanceId, after.InstanceId);
        Assert.All(before.ByType, type => Assert.True(after.ByType.GetValueOrDefault(type.Key) >= type.Value, $"{type.Key} counted down"));
        // A stray one from the machinery around the batches (a health probe timing out, say) is not what this is about;
        // one thrown at the end of every batch is.
        var thrown = after.ByType.Select(type => (type.Key, Count: type.Value - before.ByType.GetValueOrDefault(type.Key))).Where(type => type.Count > 0).ToArray();
        Assert.True(thrown.Sum(type => type.Count) < Batches / 4, $"thrown over {Batches} batches: {string.Join(", ", thrown)}");
    }

    /// <summary>
    /// The worker's current process's count of exceptions thrown (the runtime's dotnet.exceptions), by type, from its first
    /// export after <paramref name="since"/> (a type never thrown has no series: zero).
    /// </summary>
    private async Task<(string InstanceId, Dictionary<string, double> ByType)> WorkerExceptionsAsync(DateTimeOffset since)
    {
        // Waited for by the process's CPU time, which every export carries: dotnet.exceptions is absent until something is thrown.
        var points = await stack.Telemetry.WaitForDataPointsAsync(
            points => points.Any(point => point.ServiceName == "worker" && point.MetricName == "dotnet.process.cpu.time" && point.Time > since),
            ExportTimeout);
        var current = points.Where(point => point.ServiceName == "worker").MaxBy(point => point.TimeUnixNano)!.InstanceId;
        var byType = points
            .Where(point => point.ServiceName == "worker" && point.InstanceId == current && point.MetricName == "dotnet.exceptions")
            .GroupBy(point => point.Attributes.GetValueOrDefault("error.type") ?? "")
            .ToDictionary(type => type.Key, type => type.MaxBy(point => point.TimeUnixNano)!.Value);
        return (current, byType);
    }

    [Fact]
    public async Task Stream_gauges_are_exported_by_the_worker_only()
    {
        string[] gauges = ["phonic.stream.length", "phonic.stream.pending", "phonic.stream.oldest_pending_age", "phonic.stream.dead_letters"];
        var metrics = await stack.Telemetry.WaitForMetricsAsync(
            metrics => gauges.All(gauge => metrics.Any(metric => metric.ServiceName == "worker" && metric.MeterName == "PhonicAspire" && metric.Name == gauge)),
            ExportTimeout);

        // The API does not watch the stream; a zero from it would mislead any sum across services.
        Assert.DoesNotContain(metrics, metric => metric.ServiceName == "webhookapi" && metric.Name.StartsWith("phonic.stream.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_secret_phone_number_or_transcript_is_exported_in_spans_logs_or_metrics()
    {
        using var client = stack.CreateApiClient();
        var webhook = await AcceptedEndedEventAsync(client);

        using (var forged = await client.SendAsync((webhook with { SvixId = SignedWebhook.NewSvixId() }).ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId);
        await stack.Telemetry.WaitForSpansAsync(spans => spans.Any(span => span.ServiceName == "worker"
            && span.Attributes.GetValueOrDefault("phonic.svix_id") == webhook.SvixId), ExportTimeout);

        // The delivery's own svix id is exported (it labels the trace), so the scan below can find what is there.
        Assert.NotEmpty(stack.Telemetry.ExportsContaining(webhook.SvixId));
        string[] secrets =
        [
            PhonicStackFixture.WebhookSecret,
            PhonicStackFixture.WebhookSecret["whsec_".Length..],
            webhook.Signature["v1,".Length..],
            "+15550100001",
            "+15550100002",
            "Hi, this is Ana from Acme Dental",
            "I'd like to book a cleaning",
        ];
        foreach (var secret in secrets)
        {
            Assert.Empty(stack.Telemetry.ExportsContaining(secret));
        }
    }
}
