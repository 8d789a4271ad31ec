using System.Buffers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using PhonicAspire.WebhookApi.Configuration;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// Reads a delivery's raw bytes exactly as received (the signature covers them) into a pooled buffer that grows as
/// bytes arrive, never to what a client merely announced, within <see cref="InFlightBodyBudget"/>, and stops as soon
/// as the body is known to be over the limit.
/// </summary>
public sealed class WebhookBodyReader(IOptions<WebhookOptions> options, InFlightBodyBudget budget)
{
    private const int InitialBufferBytes = 16 * 1024;

    public async Task<BodyReadResult> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            return new(null, BodyRefusal.TooLarge);
        }

        // An announced length is reserved whole: a client that announces megabytes and stalls holds budget, not memory.
        if (!budget.TryReserve(request.ContentLength ?? 0, out var reserved))
        {
            return new(null, BodyRefusal.OverBudget);
        }

        // Kestrel's own limit (30 MB by default) must not cut in before ours. It counts a chunked body's framing as
        // well, so such a body is left to the loop below, which stops reading one byte past the limit.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = request.ContentLength is null ? null : limit + 1L;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? InitialBufferBytes, Math.Min(InitialBufferBytes, limit)) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        return Refuse(BodyRefusal.TooLarge);
                    }

                    var larger = Math.Min(buffer.Length * 2, limit + 1);
                    if (request.ContentLength is null)
                    {
                        // Nothing announced: the reservation follows the buffer.
                        budget.Release(reserved);
                        if (!budget.TryReserve(larger, out reserved))
                        {
                            return Refuse(BodyRefusal.OverBudget);
                        }
                    }

                    var grown = ArrayPool<byte>.Shared.Rent(larger);
                    buffer.AsSpan(0, length).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
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
            budget.Release(reserved);
            throw;
        }

        return length > limit ? Refuse(BodyRefusal.TooLarge) : new(new WebhookBody(buffer, length, budget, reserved), BodyRefusal.None);

        BodyReadResult Refuse(BodyRefusal refusal)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            budget.Release(reserved);
            return new(null, refusal);
        }
    }
}

/// <summary>Why a body was not read: too large for <see cref="WebhookOptions.MaxBodyBytes"/>, or over the in-flight budget.</summary>
public enum BodyRefusal
{
    None,
    TooLarge,
    OverBudget,
}

public readonly record struct BodyReadResult(WebhookBody? Body, BodyRefusal Refusal);

/// <summary>A delivery's body in a buffer rented from the shared pool, holding its share of the in-flight budget.</summary>
public sealed class WebhookBody(byte[] buffer, int length, InFlightBodyBudget budget, long reserved)
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
}
