using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Trace.V1;

namespace PhonicAspire.Testing.Otlp;

/// <summary>Flattens a trace export into <see cref="CollectedSpan"/>s, each carrying the service and scope it was nested under.</summary>
internal static class OtlpTraces
{
    public static List<CollectedSpan> Collect(ExportTraceServiceRequest request) =>
    [
        .. from resourceSpans in request.ResourceSpans
           let serviceName = OtlpResource.Of(resourceSpans.Resource).ServiceName
           from scopeSpans in resourceSpans.ScopeSpans
           from span in scopeSpans.Spans
           select ToCollected(span, serviceName, scopeSpans.Scope?.Name ?? ""),
    ];

    private static CollectedSpan ToCollected(Span span, string serviceName, string scopeName) => new(
        serviceName,
        scopeName,
        Convert.ToHexStringLower(span.TraceId.Span),
        Convert.ToHexStringLower(span.SpanId.Span),
        // A root span may carry an empty parent_span_id rather than omit it.
        span.ParentSpanId.IsEmpty ? null : Convert.ToHexStringLower(span.ParentSpanId.Span),
        span.Name,
        (int)span.Kind,
        OtlpAttributes.Render(span.Attributes),
        [.. span.Links.Select(link => (Convert.ToHexStringLower(link.TraceId.Span), Convert.ToHexStringLower(link.SpanId.Span)))]);
}
