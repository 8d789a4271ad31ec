using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using PhonicAspire.WebhookApi.Configuration;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// Reads a delivery's raw bytes exactly as received (the signature covers them) into a pooled buffer, stopping as
/// soon as the body is known to be over the limit.
/// </summary>
public sealed class WebhookBodyReader(IOptions<WebhookOptions> options)
{
    private const int InitialBufferBytes = 16 * 1024;

    public async Task<WebhookBody?> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            return null;
        }

        // Kestrel's own limit (30 MB by default) must not cut in before ours, nor let a chunked body run past it.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit + 1L;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? InitialBufferBytes, limit) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        if (length > limit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return null;
        }

        return new WebhookBody(buffer, length);
    }
}

/// <summary>A delivery's body in a buffer rented from the shared pool.</summary>
public sealed class WebhookBody(byte[] buffer, int length)
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
        }
    }

    /// <summary>
    /// Leaves the buffer to the garbage collector: a command that timed out may still be written to Redis later,
    /// and a reused buffer would then send another delivery's bytes.
    /// </summary>
    public void Abandon() => _buffer = null;
}
