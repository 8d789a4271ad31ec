using System.Globalization;
using OpenTelemetry.Proto.Common.V1;

namespace PhonicAspire.Testing.Otlp;

/// <summary>Renders OTLP attribute values the way a test would write the expected value, so tests compare plain strings.</summary>
internal static class OtlpAttributes
{
    /// <summary>A key repeated on the wire keeps its last value, as a map built from the attribute list would.</summary>
    public static Dictionary<string, string> Render(IEnumerable<KeyValue> attributes)
    {
        var rendered = new Dictionary<string, string>();
        foreach (var attribute in attributes)
        {
            rendered[attribute.Key] = Render(attribute.Value);
        }

        return rendered;
    }

    /// <summary>
    /// Invariant numbers (doubles round-trip), lowercase booleans and hex bytes, <c>[a, b]</c> arrays and
    /// <c>{k=v}</c> maps; an unset value, or a kind this renderer does not know, is empty.
    /// </summary>
    public static string Render(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString("R", CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.ArrayValue => $"[{string.Join(", ", value.ArrayValue.Values.Select(Render))}]",
        AnyValue.ValueOneofCase.KvlistValue => $"{{{string.Join(", ", value.KvlistValue.Values.Select(pair => $"{pair.Key}={Render(pair.Value)}"))}}}",
        AnyValue.ValueOneofCase.BytesValue => Convert.ToHexStringLower(value.BytesValue.Span),
        _ => "",
    };
}
