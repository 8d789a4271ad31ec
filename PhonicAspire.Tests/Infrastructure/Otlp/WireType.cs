namespace PhonicAspire.Tests.Infrastructure.Otlp;

/// <summary>The low three bits of a protobuf tag, which say how to read (or skip) the field's value.</summary>
internal enum WireType
{
    Varint = 0,
    Fixed64 = 1,
    LengthDelimited = 2,
    Fixed32 = 5,
}
