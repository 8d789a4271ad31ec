using System.Numerics;
using Microsoft.Extensions.Options;
using PhonicAspire.WebhookApi.Configuration;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// Bounds the memory that bodies still arriving may hold. The first <see cref="Allowance"/> bytes of every body are
/// free (Phonic's deliveries are mostly a few kilobytes, so a valid delivery always gets in); beyond that, a body
/// reserves the buffer it will end up in (<see cref="BufferBytes"/> of what it announced), or the buffer it has grown
/// to when it announced nothing, from
/// <see cref="WebhookOptions.MaxInFlightBodyBytes"/>. Clients that announce megabytes and stall exhaust only that
/// budget, and the next such body is refused at once.
/// </summary>
public sealed class InFlightBodyBudget(IOptions<WebhookOptions> options)
{
    public const int Allowance = 64 * 1024;

    private long _reserved;

    /// <summary>
    /// The buffer a body of <paramref name="bodyBytes"/> ends up in: the shared pool hands out arrays of a power of
    /// two, up to twice what was asked.
    /// </summary>
    public static long BufferBytes(long bodyBytes) => (long)BitOperations.RoundUpToPowerOf2((ulong)bodyBytes);

    /// <summary>Reserves what a body of <paramref name="bodyBytes"/> needs beyond the allowance; false when the budget cannot take it.</summary>
    public bool TryReserve(long bodyBytes, out long reserved)
    {
        reserved = 0;
        return TryGrow(ref reserved, bodyBytes);
    }

    /// <summary>
    /// Grows <paramref name="reserved"/> to what a body of <paramref name="bodyBytes"/> needs, taking only the
    /// difference, so what is held already is never given up on the way; false, leaving it as it was, when the
    /// budget cannot take the difference.
    /// </summary>
    public bool TryGrow(ref long reserved, long bodyBytes)
    {
        var extra = Math.Max(0, bodyBytes - Allowance) - reserved;
        if (extra <= 0)
        {
            return true;
        }

        if (Interlocked.Add(ref _reserved, extra) <= options.Value.MaxInFlightBodyBytes)
        {
            reserved += extra;
            return true;
        }

        Interlocked.Add(ref _reserved, -extra);
        return false;
    }

    public void Release(long reserved)
    {
        if (reserved > 0)
        {
            Interlocked.Add(ref _reserved, -reserved);
        }
    }
}
