using System.Buffers.Binary;

namespace PhonicAspire.Tests.Infrastructure.Otlp;

/// <summary>
/// Just enough of the protobuf wire format to walk OTLP messages: the receiver switches on field numbers it knows
/// and skips everything else, so fields added to OTLP later never break decoding.
/// </summary>
internal ref struct ProtobufReader(ReadOnlySpan<byte> buffer)
{
    private ReadOnlySpan<byte> _remaining = buffer;

    public bool TryReadTag(out int fieldNumber, out WireType wireType)
    {
        if (_remaining.IsEmpty)
        {
            fieldNumber = 0;
            wireType = default;
            return false;
        }

        var tag = ReadVarint();
        fieldNumber = checked((int)(tag >> 3));
        wireType = (WireType)(tag & 0x7);
        return true;
    }

    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var next = Take(1)[0];
            value |= (ulong)(next & 0x7F) << shift;
            if ((next & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("Protobuf varint longer than 10 bytes.");
    }

    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> ReadLengthDelimited() => Take(checked((int)ReadVarint()));

    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Take(8);
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed32:
                Take(4);
                break;
            default:
                // Groups (3, 4) are proto2-only; OTLP is proto3, so meeting one means the payload is not OTLP.
                throw new InvalidDataException($"Unsupported protobuf wire type {(int)wireType}.");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _remaining.Length)
        {
            throw new InvalidDataException($"Truncated protobuf: needed {count} bytes, {_remaining.Length} left.");
        }

        var taken = _remaining[..count];
        _remaining = _remaining[count..];
        return taken;
    }
}
