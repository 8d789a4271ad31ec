using System.Globalization;

namespace PhonicAspire.Tests.Infrastructure.Otlp;

/// <summary>
/// The messages shared by every OTLP signal (opentelemetry/proto/common/v1 and resource/v1): resources,
/// instrumentation scopes and attributes.
/// </summary>
internal static class OtlpCommonDecoder
{
    private const string ServiceNameKey = "service.name";
    private const string ServiceInstanceKey = "service.instance.id";

    /// <summary>Resource{ repeated KeyValue attributes = 1 } reduced to its <c>service.name</c> and <c>service.instance.id</c>.</summary>
    public static OtlpResource ReadResource(ReadOnlySpan<byte> resource)
    {
        string serviceName = "", instanceId = "";
        var reader = new ProtobufReader(resource);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == WireType.LengthDelimited)
            {
                var (key, value) = ReadKeyValue(reader.ReadLengthDelimited());
                switch (key)
                {
                    case ServiceNameKey: serviceName = value; break;
                    case ServiceInstanceKey: instanceId = value; break;
                }
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return new OtlpResource(serviceName, instanceId);
    }

    /// <summary>InstrumentationScope{ string name = 1 } reduced to its name (the ActivitySource or Meter name).</summary>
    public static string ReadScopeName(ReadOnlySpan<byte> scope)
    {
        var reader = new ProtobufReader(scope);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == WireType.LengthDelimited)
            {
                return ReadString(ref reader);
            }

            reader.Skip(wireType);
        }

        return "";
    }

    /// <summary>KeyValue{ string key = 1; AnyValue value = 2 }.</summary>
    public static (string Key, string Value) ReadKeyValue(ReadOnlySpan<byte> keyValue)
    {
        var key = "";
        var value = "";
        var reader = new ProtobufReader(keyValue);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireType.LengthDelimited):
                    key = ReadString(ref reader);
                    break;
                case (2, WireType.LengthDelimited):
                    value = RenderAnyValue(reader.ReadLengthDelimited());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return (key, value);
    }

    public static string ReadString(ref ProtobufReader reader) =>
        System.Text.Encoding.UTF8.GetString(reader.ReadLengthDelimited());

    /// <summary>
    /// AnyValue{ oneof string_value = 1; bool_value = 2; int_value = 3; double_value = 4; array_value = 5;
    /// kvlist_value = 6; bytes_value = 7 }, rendered the way a test would write the expected value.
    /// </summary>
    private static string RenderAnyValue(ReadOnlySpan<byte> anyValue)
    {
        var rendered = "";
        var reader = new ProtobufReader(anyValue);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            rendered = (field, wireType) switch
            {
                (1, WireType.LengthDelimited) => ReadString(ref reader),
                (2, WireType.Varint) => reader.ReadVarint() != 0 ? "true" : "false",
                (3, WireType.Varint) => ((long)reader.ReadVarint()).ToString(CultureInfo.InvariantCulture),
                (4, WireType.Fixed64) => BitConverter.UInt64BitsToDouble(reader.ReadFixed64()).ToString("R", CultureInfo.InvariantCulture),
                (5, WireType.LengthDelimited) => $"[{string.Join(", ", RenderRepeated(reader.ReadLengthDelimited(), RenderAnyValue))}]",
                (6, WireType.LengthDelimited) => $"{{{string.Join(", ", RenderRepeated(reader.ReadLengthDelimited(), RenderKeyValue))}}}",
                (7, WireType.LengthDelimited) => Convert.ToHexStringLower(reader.ReadLengthDelimited()),
                _ => SkipAndKeep(ref reader, wireType, rendered),
            };
        }

        return rendered;
    }

    private static string RenderKeyValue(ReadOnlySpan<byte> keyValue)
    {
        var (key, value) = ReadKeyValue(keyValue);
        return $"{key}={value}";
    }

    /// <summary>ArrayValue and KeyValueList both hold their items as <c>repeated … values = 1</c>.</summary>
    private static List<string> RenderRepeated(ReadOnlySpan<byte> list, Func<ReadOnlySpan<byte>, string> render)
    {
        var items = new List<string>();
        var reader = new ProtobufReader(list);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == WireType.LengthDelimited)
            {
                items.Add(render(reader.ReadLengthDelimited()));
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return items;
    }

    private static string SkipAndKeep(ref ProtobufReader reader, WireType wireType, string rendered)
    {
        reader.Skip(wireType);
        return rendered;
    }
}
