using System.Buffers;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// A delivery's body in a buffer rented from the shared pool, holding its share of the in-flight budget. Disposing it
/// abandons it unless it was released or abandoned already, so no way out of a request keeps its share.
/// </summary>
public sealed class WebhookBody(byte[] buffer, int length, InFlightBodyBudget budget, long reserved) : IDisposable
{
    private byte[]? _buffer = buffer;

    public ReadOnlyMemory<byte> Memory => (_buffer ?? throw new ObjectDisposedException(nameof(WebhookBody))).AsMemory(0, length);

    /// <summary>Gives the buffer back for reuse; only once nothing can still be reading it.</summary>
    public void Release()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
            budget.Release(reserved);
        }
    }

    /// <summary>
    /// Leaves the buffer to the garbage collector: a command that timed out may still be written to Redis later,
    /// and a reused buffer would then send another delivery's bytes.
    /// </summary>
    public void Abandon()
    {
        if (_buffer is not null)
        {
            _buffer = null;
            budget.Release(reserved);
        }
    }

    // Abandoned, not released: a way out that did not say may have left a command reading the buffer.
    public void Dispose() => Abandon();
}
