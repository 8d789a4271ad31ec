using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Queueing;

/// <summary>
/// The webhook stream did not take a delivery: Redis refused it for lack of memory (<see cref="IsFull"/>), failed
/// the append, or did not answer in time (then it may still append it, from a buffer the request must not reuse).
/// </summary>
public sealed class QueueAppendException(bool isFull, Exception cause)
    : Exception(isFull ? "Redis is out of memory (maxmemory, noeviction)." : $"Redis did not take the append ({cause.GetType().Name}).", cause)
{
    /// <summary>Redis refused the append outright with <c>maxmemory</c> reached: it holds no part of it.</summary>
    public bool IsFull { get; } = isFull;

    /// <summary>
    /// Not Redis being away, slow or in passing trouble (a client that refuses the command itself, a reply of another
    /// shape, an error reply such as <c>WRONGTYPE</c> or <c>NOPERM</c>): every delivery will fail the same way until
    /// someone looks.
    /// </summary>
    public bool IsUnexplained { get; } = cause switch
    {
        RedisServerException reply => !PassingRedisErrors.Passes(reply),
        TimeoutException or RedisException => false,
        _ => true,
    };
}
