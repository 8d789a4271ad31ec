using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Rows of a staging table in PostgreSQL's binary COPY format ("Binary Format" under COPY in PostgreSQL's manual),
/// written into memory while a batch is parsed, then sent through Npgsql's raw binary COPY. Npgsql's
/// <see cref="NpgsqlBinaryImporter"/> binds and sizes every value on its own: for the seventy-odd values of an ended
/// conversation's staging rows, copying them cost the worker 34-42 us of CPU an event through it against 19-22 us
/// written here, as much as the JSON object they replace (see docs/benchmarks.md, *Drain, typed staging tables*).
/// Written as each event is parsed, the rows are all a batch keeps of it, as compact as its UTF-8.
/// </summary>
internal sealed class BinaryCopyRows
{
    // The signature "PGCOPY\n\xFF\r\n\0", then the flags and the header extension's length, both zero.
    private static readonly byte[] Header = [.. "PGCOPY\n"u8, 0xFF, .. "\r\n"u8, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    // A field count of -1 ends the data.
    private static readonly byte[] Trailer = [0xFF, 0xFF];

    private const uint TextOid = 25;
    private const uint DoubleOid = 701;
    private const byte JsonbVersion = 1;
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    // Strict, as Npgsql is: text that is not valid UTF-16 fails the batch instead of being stored altered.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Forgets what was written, keeping the memory for the next rows.</summary>
    public void Clear() => _buffer.ResetWrittenCount();

    /// <summary>The rows written since <see cref="Clear"/>, copied out.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void StartRow(int columns) => WriteInt16(checked((short)columns));

    public void Null() => WriteInt32(-1);

    public void Nulls(int count)
    {
        for (var column = 0; column < count; column++)
        {
            Null();
        }
    }

    public void Text(string value)
    {
        var length = Utf8.GetByteCount(value);
        WriteInt32(length);
        Utf8.GetBytes(value, Take(length));
    }

    public void Jsonb(string json)
    {
        var length = Utf8.GetByteCount(json);
        WriteInt32(length + 1);
        WriteByte(JsonbVersion);
        Utf8.GetBytes(json, Take(length));
    }

    public void Int16(short value)
    {
        WriteInt32(sizeof(short));
        WriteInt16(value);
    }

    public void Int32(int value)
    {
        WriteInt32(sizeof(int));
        WriteInt32(value);
    }

    public void Double(double value)
    {
        WriteInt32(sizeof(double));
        WriteDouble(value);
    }

    public void Boolean(bool value)
    {
        WriteInt32(1);
        WriteByte(value ? (byte)1 : (byte)0);
    }

    /// <summary>
    /// Microseconds since 2000-01-01 UTC, PostgreSQL's own, truncated toward 2000; the least and the greatest
    /// <see cref="DateTimeOffset"/> as -infinity and infinity. Both as Npgsql writes them, so that an event's
    /// created_at reads the same in webhook_events (which Npgsql copies) and in its conversation.
    /// </summary>
    public void Timestamp(DateTimeOffset value)
    {
        WriteInt32(sizeof(long));
        WriteInt64(value == DateTimeOffset.MinValue ? long.MinValue
            : value == DateTimeOffset.MaxValue ? long.MaxValue
            : (value.UtcTicks - PostgresEpochTicks) / TimeSpan.TicksPerMicrosecond);
    }

    public void TextArray(string[] values)
    {
        var elements = 0;
        foreach (var value in values)
        {
            elements += sizeof(int) + Utf8.GetByteCount(value);
        }

        WriteArrayHeader(values.Length, hasNulls: false, TextOid, elements);
        foreach (var value in values)
        {
            Text(value);
        }
    }

    public void DoubleArray(double?[] values)
    {
        var present = 0;
        foreach (var value in values)
        {
            present += value.HasValue ? 1 : 0;
        }

        var elements = values.Length * sizeof(int) + present * sizeof(double);
        WriteArrayHeader(values.Length, hasNulls: present < values.Length, DoubleOid, elements);
        foreach (var value in values)
        {
            if (value is { } number)
            {
                Double(number);
            }
            else
            {
                Null();
            }
        }
    }

    /// <summary>
    /// Sends the rows, each a whole number of rows as written here, as one COPY's data; a failure while sending them
    /// (a cancellation included) aborts the COPY, so that none of them is taken.
    /// </summary>
    public static async Task CopyAsync(NpgsqlConnection connection, string copy, IEnumerable<byte[]> rows, CancellationToken cancellationToken)
    {
        // Disposing the stream ends the COPY with whatever was sent, which PostgreSQL takes when it stops at a row's
        // end; PostgreSQL's refusal of a value surfaces there.
        await using var stream = await connection.BeginRawBinaryCopyAsync(copy, cancellationToken).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(Header, cancellationToken).ConfigureAwait(false);
            foreach (var row in rows)
            {
                await stream.WriteAsync(row, cancellationToken).ConfigureAwait(false);
            }

            await stream.WriteAsync(Trailer, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await stream.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    // One dimension counted from 1, or none for an empty array; then the elements, each with its length.
    private void WriteArrayHeader(int length, bool hasNulls, uint elementOid, int elementBytes)
    {
        var dimensions = length == 0 ? 0 : 1;
        WriteInt32(3 * sizeof(int) + dimensions * 2 * sizeof(int) + elementBytes);
        WriteInt32(dimensions);
        WriteInt32(hasNulls ? 1 : 0);
        WriteInt32(unchecked((int)elementOid));
        if (dimensions == 1)
        {
            WriteInt32(length);
            WriteInt32(1);
        }
    }

    private void WriteByte(byte value) => Take(1)[0] = value;

    private void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Take(sizeof(short)), value);

    private void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Take(sizeof(int)), value);

    private void WriteInt64(long value) => BinaryPrimitives.WriteInt64BigEndian(Take(sizeof(long)), value);

    private void WriteDouble(double value) => BinaryPrimitives.WriteDoubleBigEndian(Take(sizeof(double)), value);

    // The next length bytes of the buffer, counted as written: the caller fills all of them.
    private Span<byte> Take(int length)
    {
        var span = _buffer.GetSpan(length)[..length];
        _buffer.Advance(length);
        return span;
    }
}
