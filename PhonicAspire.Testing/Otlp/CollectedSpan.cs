namespace PhonicAspire.Testing.Otlp;

/// <summary>
/// One span as an OTLP exporter sent it. Ids are lowercase hex (as in <c>traceparent</c> and Activity ids);
/// <see cref="Kind"/> is the OTLP <c>SpanKind</c> number (1 internal, 2 server, 3 client, 4 producer, 5 consumer),
/// and attribute values are rendered as invariant strings.
/// </summary>
public sealed record CollectedSpan(
    string ServiceName,
    string ScopeName,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    int Kind,
    IReadOnlyDictionary<string, string> Attributes,
    IReadOnlyList<(string TraceId, string SpanId)> Links);
