using System.Buffers;
using System.Text;

namespace PhonicAspire.Webhooks.Svix;

/// <summary>
/// The bytes Svix signs, <c>{id}.{timestamp}.</c> followed by the raw body, laid out in one pooled buffer so each
/// key's HMAC is a single one-shot call over it. Bodies reach megabytes, so the buffer is rented, never stackalloc'd.
/// </summary>
internal readonly ref struct SignedContent : IDisposable
{
    private readonly byte[] _rented;

    public SignedContent(string messageId, ReadOnlySpan<char> timestamp, ReadOnlySpan<byte> body)
    {
        var length = Encoding.UTF8.GetByteCount(messageId) + timestamp.Length + 2 + body.Length;
        _rented = ArrayPool<byte>.Shared.Rent(length);

        var written = Encoding.UTF8.GetBytes(messageId, _rented);
        _rented[written++] = (byte)'.';
        written += Encoding.UTF8.GetBytes(timestamp, _rented.AsSpan(written));
        _rented[written++] = (byte)'.';
        body.CopyTo(_rented.AsSpan(written));

        Bytes = _rented.AsSpan(0, length);
    }

    public ReadOnlySpan<byte> Bytes { get; }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_rented);
}
