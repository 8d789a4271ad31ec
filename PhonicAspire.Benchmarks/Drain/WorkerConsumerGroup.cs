using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.Drain;

/// <summary>
/// The benchmark's handle on the consumer group through which the worker replicas share the stream: it holds a
/// backlog back from them until all of them are ready, and tells what they have left unacknowledged.
/// </summary>
public sealed class WorkerConsumerGroup(IDatabase redis)
{
    /// <summary>
    /// Moves the group's read position to the end of the stream, so that consumers reading new entries see none of
    /// those already in it; returns the position to release them from. Call while no consumer reads, so that the
    /// position returned is still the group's when it is moved.
    /// </summary>
    public async Task<RedisValue> HoldAsync()
    {
        var position = await PositionAsync();
        await redis.StreamConsumerGroupSetPositionAsync(WebhookStream.Name, WebhookStream.ConsumerGroup, StreamPosition.NewMessages);
        return position;
    }

    /// <summary>Hands the entries after <paramref name="position"/> to the consumers' next reads.</summary>
    public Task ReleaseAsync(RedisValue position) =>
        redis.StreamConsumerGroupSetPositionAsync(WebhookStream.Name, WebhookStream.ConsumerGroup, position);

    public async Task<long> PendingAsync() =>
        (await redis.StreamPendingAsync(WebhookStream.Name, WebhookStream.ConsumerGroup)).PendingMessageCount;

    private async Task<RedisValue> PositionAsync()
    {
        var group = (await redis.StreamGroupInfoAsync(WebhookStream.Name)).Single(group => group.Name == WebhookStream.ConsumerGroup);
        return group.LastDeliveredId ?? throw new InvalidOperationException("The consumer group reports no read position.");
    }
}
