using Google.Protobuf;

namespace PhonicAspire.Testing.Otlp;

/// <summary>
/// Counts the spans of an OTLP ExportTraceServiceRequest by walking its wire format, without building the message:
/// a receiver on the measured cores that only counts should not pay for every span's strings and attributes.
/// </summary>
public static class OtlpSpanCounter
{
    // Field numbers from opentelemetry/proto: ExportTraceServiceRequest.resource_spans, ResourceSpans.scope_spans,
    // ScopeSpans.spans.
    private const int ResourceSpansField = 1;
    private const int ScopeSpansField = 2;
    private const int SpansField = 2;

    public static long Count(byte[] buffer, int length)
    {
        long spans = 0;
        foreach (var resourceSpans in Embedded(new CodedInputStream(buffer, 0, length), ResourceSpansField))
        {
            foreach (var scopeSpans in Embedded(resourceSpans, ScopeSpansField))
            {
                spans += Occurrences(scopeSpans, SpansField);
            }
        }

        return spans;
    }

    private static IEnumerable<CodedInputStream> Embedded(CodedInputStream message, int field)
    {
        uint tag;
        while ((tag = message.ReadTag()) != 0)
        {
            if (IsEmbeddedMessage(tag, field))
            {
                yield return message.ReadBytes().CreateCodedInput();
            }
            else
            {
                message.SkipLastField();
            }
        }
    }

    private static long Occurrences(CodedInputStream message, int field)
    {
        long count = 0;
        uint tag;
        while ((tag = message.ReadTag()) != 0)
        {
            count += IsEmbeddedMessage(tag, field) ? 1 : 0;
            message.SkipLastField();
        }

        return count;
    }

    private static bool IsEmbeddedMessage(uint tag, int field) =>
        WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited;
}
