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

        // Kestrel's own limit (30 MB by default) must not cut in before ours. It counts a chunked body's framing as
        // well, so such a body is left to the loop below, which stops reading one byte past the limit.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = request.ContentLength is null ? null : limit + 1L;
        }

        // HTTP's framing ends a body at the length it announced, so its buffer never needs more; a body that
        // announced nothing may fill the limit, and a byte more shows it is over. The first buffer is within the
        // allowance every body has, and is taken before the budget so that nothing between the reservation and the
        // try below can keep it.
        var capacity = (int)(request.ContentLength ?? limit);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, Math.Min(capacity, InitialBufferBytes)));

        // An announced length is reserved whole, as the buffer it will end up in: a client that announces megabytes
        // and stalls holds budget, not memory, and a body let in is never refused halfway for want of budget.
        if (!budget.TryReserve(request.ContentLength is { } announced ? InFlightBodyBudget.BufferBytes(announced) : 0, out var reserved))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return new(null, BodyRefusal.OverBudget);
        }

        var length = 0;
        try
        {
            while (true)
            {
                if (length == capacity)
                {
                    if (request.ContentLength is null && await request.Body.ReadAsync(new byte[1], cancellationToken) > 0)
                    {
                        return Refuse(BodyRefusal.TooLarge);
                    }

                    break;
                }

                if (length == buffer.Length)
                {
                    // A body that announced nothing reserves as its buffer grows.
                    var grown = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, capacity));
                    if (!budget.TryGrow(ref reserved, grown.Length))
                    {
                        ArrayPool<byte>.Shared.Return(grown);
                        return Refuse(BodyRefusal.OverBudget);
                    }

                    buffer.AsSpan(0, length).CopyTo(grown);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = grown;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, capacity) - length), cancellationToken);
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

        return new(new WebhookBody(buffer, length, budget, reserved), BodyRefusal.None);

        BodyReadResult Refuse(BodyRefusal refusal)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            budget.Release(reserved);
            return new(null, refusal);
        }
    }
}
