namespace PhonicAspire.Tests.Infrastructure.Otlp;

/// <summary>
/// Decodes ExportTraceServiceRequest (opentelemetry/proto/collector/trace/v1) into <see cref="CollectedSpan"/>s.
/// Field numbers are those of opentelemetry/proto/trace/v1/trace.proto.
/// </summary>
internal static class OtlpTraceDecoder
{
    public static List<CollectedSpan> Decode(ReadOnlySpan<byte> request)
    {
        var spans = new List<CollectedSpan>();
        OtlpEnvelopeDecoder.ForEachItem(request, (source, scopeName, span) => spans.Add(ReadSpan(span, source.ServiceName, scopeName)));
        return spans;
    }

    /// <summary>
    /// Span{ bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
    /// repeated KeyValue attributes = 9; repeated Link links = 13 }.
    /// </summary>
    private static CollectedSpan ReadSpan(ReadOnlySpan<byte> span, string serviceName, string scopeName)
    {
        var traceId = "";
        var spanId = "";
        string? parentSpanId = null;
        var name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>();
        var links = new List<(string TraceId, string SpanId)>();
        var reader = new ProtobufReader(span);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireType.LengthDelimited):
                    traceId = Convert.ToHexStringLower(reader.ReadLengthDelimited());
                    break;
                case (2, WireType.LengthDelimited):
                    spanId = Convert.ToHexStringLower(reader.ReadLengthDelimited());
                    break;
                case (4, WireType.LengthDelimited):
                    var parent = reader.ReadLengthDelimited();
                    // A root span may carry an empty parent_span_id rather than omit it.
                    parentSpanId = parent.IsEmpty ? null : Convert.ToHexStringLower(parent);
                    break;
                case (5, WireType.LengthDelimited):
                    name = OtlpCommonDecoder.ReadString(ref reader);
                    break;
                case (6, WireType.Varint):
                    kind = checked((int)reader.ReadVarint());
                    break;
                case (9, WireType.LengthDelimited):
                    var (key, value) = OtlpCommonDecoder.ReadKeyValue(reader.ReadLengthDelimited());
                    attributes[key] = value;
                    break;
                case (13, WireType.LengthDelimited):
                    links.Add(ReadLink(reader.ReadLengthDelimited()));
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new CollectedSpan(serviceName, scopeName, traceId, spanId, parentSpanId, name, kind, attributes, links);
    }

    /// <summary>Span.Link{ bytes trace_id = 1; bytes span_id = 2 }.</summary>
    private static (string TraceId, string SpanId) ReadLink(ReadOnlySpan<byte> link)
    {
        var traceId = "";
        var spanId = "";
        var reader = new ProtobufReader(link);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireType.LengthDelimited):
                    traceId = Convert.ToHexStringLower(reader.ReadLengthDelimited());
                    break;
                case (2, WireType.LengthDelimited):
                    spanId = Convert.ToHexStringLower(reader.ReadLengthDelimited());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return (traceId, spanId);
    }
}
