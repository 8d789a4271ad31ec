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

    /// <summary>
    /// How many of the backlog's entries the group has acknowledged: read (up to its read position) and no longer
    /// pending. A worker acknowledges an entry only once its transaction has committed, so this follows what is stored
    /// at the cost of one Redis command, where a count(*) would scan the table being written, on the cores being
    /// measured. Call once the backlog is released and while no other entry is pending.
    /// </summary>
    public async Task<long> AcknowledgedAsync(Backlog backlog)
    {
        var group = await InfoAsync();
        var index = Array.BinarySearch(backlog.EntryIds, ReadPosition(group));
        var read = index >= 0 ? index + 1 : ~index;
        return read - group.PendingMessageCount;
    }

    /// <summary>
    /// Whether the group has read every entry appended before this call and acknowledged all it read, so that all of
    /// them are committed: two Redis commands, nothing asked of PostgreSQL.
    /// </summary>
    public async Task<bool> HasAcknowledgedAllAppendedAsync()
    {
        // The stream first: an entry appended after it was read cannot hold the answer back.
        var appended = StreamEntryId.Parse((await redis.StreamInfoAsync(WebhookStream.Name)).LastGeneratedId.ToString());
        var group = await InfoAsync();
        return ReadPosition(group).CompareTo(appended) >= 0 && group.PendingMessageCount == 0;
    }

    private async Task<RedisValue> PositionAsync() => (await InfoAsync()).LastDeliveredId ?? throw NoPosition();

    private static StreamEntryId ReadPosition(StreamGroupInfo group) =>
        StreamEntryId.Parse((group.LastDeliveredId ?? throw NoPosition()).ToString());

    private async Task<StreamGroupInfo> InfoAsync() =>
        (await redis.StreamGroupInfoAsync(WebhookStream.Name)).Single(group => group.Name == WebhookStream.ConsumerGroup);

    private static InvalidOperationException NoPosition() => new("The consumer group reports no read position.");
}
