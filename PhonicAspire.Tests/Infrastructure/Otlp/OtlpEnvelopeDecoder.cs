namespace PhonicAspire.Tests.Infrastructure.Otlp;

/// <summary>Receives one item (a span, a metric) with the service and instrumentation scope it came from.</summary>
internal delegate void ScopedItemHandler(OtlpResource resource, string scopeName, ReadOnlySpan<byte> item);

/// <summary>The process an export came from: its service and, since a restarted service is a new instance, which one.</summary>
internal readonly record struct OtlpResource(string ServiceName, string InstanceId);

/// <summary>
/// The envelope every OTLP export request shares, whatever the signal:
/// Export*ServiceRequest{ repeated Resource* = 1 }, Resource*{ Resource resource = 1; repeated Scope* = 2 },
/// Scope*{ InstrumentationScope scope = 1; repeated item = 2 }.
/// </summary>
internal static class OtlpEnvelopeDecoder
{
    public static void ForEachItem(ReadOnlySpan<byte> request, ScopedItemHandler handle)
    {
        var reader = new ProtobufReader(request);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            if (field == 1 && wireType == WireType.LengthDelimited)
            {
                ReadResource(reader.ReadLengthDelimited(), handle);
            }
            else
            {
                reader.Skip(wireType);
            }
        }
    }

    // The resource may come after the scopes on the wire, so scopes are copied aside until the service is known.
    private static void ReadResource(ReadOnlySpan<byte> resource, ScopedItemHandler handle)
    {
        var source = new OtlpResource("", "");
        var scopes = new List<byte[]>();
        var reader = new ProtobufReader(resource);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireType.LengthDelimited):
                    source = OtlpCommonDecoder.ReadResource(reader.ReadLengthDelimited());
                    break;
                case (2, WireType.LengthDelimited):
                    scopes.Add(reader.ReadLengthDelimited().ToArray());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        foreach (var scope in scopes)
        {
            ReadScope(scope, source, handle);
        }
    }

    // Same ordering caveat: the scope's name may follow its items.
    private static void ReadScope(ReadOnlySpan<byte> scope, OtlpResource source, ScopedItemHandler handle)
    {
        var scopeName = "";
        var items = new List<byte[]>();
        var reader = new ProtobufReader(scope);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch (field, wireType)
            {
                case (1, WireType.LengthDelimited):
                    scopeName = OtlpCommonDecoder.ReadScopeName(reader.ReadLengthDelimited());
                    break;
                case (2, WireType.LengthDelimited):
                    items.Add(reader.ReadLengthDelimited().ToArray());
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        foreach (var item in items)
        {
            handle(source, scopeName, item);
        }
    }
}
