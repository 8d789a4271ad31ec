using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// One consumer group's side of the webhook stream: its reads, claims, acknowledgements and dead letters. Entries
/// leave the stream only once every group is done with them: each acknowledgement trims the stream below the oldest
/// entry that any group still has pending or has not read yet, so a group that lags (a forwarding destination that
/// is down) keeps what it needs and nothing it does not.
/// </summary>
public sealed class ConsumerGroupStream(IConnectionMultiplexer redis, DrainSubscription subscription)
{
    /// <summary>The consumer that holds what stopping consumers handed back, until a running one claims it.</summary>
    public const string HandedBackConsumer = "handed-back";

    // Entries one read takes at most: what a read holds before it can give back what crossed its byte bound.
    private const int ReadChunk = 16;

    private readonly RedisKey _stream = subscription.Stream;

    private readonly RedisValue _group = subscription.Group;
    private readonly RedisKey _deadLetters = subscription.DeadLetterStream;

    private IDatabase Database => redis.GetDatabase();

    // A Redis command takes no token. Given up at cancellation, it still runs in Redis if it reached it; for the
    // scripts that take a token here that leaves what a crash at that moment would (entries pending, to be handed
    // back or claimed once idle), and it stops a Redis that does not answer from holding a worker's stop.
    private Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken) =>
        Database.ScriptEvaluateAsync(script, keys, values).WaitAsync(cancellationToken);

    /// <summary>
    /// Creates the group, unless it exists, with <paramref name="consumer"/> in it: from the start of the stream, so
    /// entries queued before any worker ran are kept, or where <see cref="DrainSubscription.StartsWhere"/>'s group is.
    /// </summary>
    public async Task EnsureConsumerGroupAsync(string consumer) =>
        await Database.ScriptEvaluateAsync(ConsumerGroupScripts.CreateGroup, [_stream], [_group, consumer, subscription.StartsWhere ?? ""]);

    /// <summary>
    /// The group's next entries, at most <paramref name="count"/> of them and at most <paramref name="maxBytes"/> of
    /// fields and values (but always the next one, however large, and, in a race with another consumer, fewer than
    /// <see cref="ReadChunk"/> more); fewer once <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <remarks>
    /// Plain XREADGROUPs of <see cref="ReadChunk"/> entries at a time, so that a read holds at most one of them past
    /// its bound; the entries of that one past the bound are given back (<see cref="GiveBackAsync"/>), or kept when
    /// another consumer of the group read past them first. Not one step, as a script was: when a later XREADGROUP or
    /// the give-back fails, what the earlier ones took stays pending with this consumer and is claimed once idle, as
    /// after a crash. A stop ends the read at the next XREADGROUP: what it holds by then is handed back.
    /// </remarks>
    public async Task<StreamEntry[]> ReadNewAsync(string consumer, int count, long maxBytes, CancellationToken cancellationToken = default)
    {
        var taken = new List<StreamEntry>(Math.Min(count, ReadChunk));
        var bytes = 0L;
        while (taken.Count < count && !cancellationToken.IsCancellationRequested)
        {
            var want = Math.Min(ReadChunk, count - taken.Count);
            var chunk = await Database.StreamReadGroupAsync(_stream, _group, consumer, StreamPosition.NewMessages, want);
            for (var index = 0; index < chunk.Length; index++)
            {
                var size = DeliveryWindow.SizeOf(chunk[index]);
                if (taken.Count > 0 && bytes + size > maxBytes)
                {
                    var beyond = chunk[index..];
                    if (!await GiveBackAsync(beyond))
                    {
                        taken.AddRange(beyond);
                    }

                    return [.. taken];
                }

                bytes += size;
                taken.Add(chunk[index]);
            }

            if (chunk.Length < want)
            {
                break;
            }
        }

        return [.. taken];
    }

    /// <summary>
    /// Gives back the entries at the end of one XREADGROUP's answer (<see cref="ConsumerGroupScripts.GiveBack"/>);
    /// false when another consumer of the group has read past them, and they stay with this one.
    /// </summary>
    internal async Task<bool> GiveBackAsync(StreamEntry[] endOfRead) =>
        (int)await Database.ScriptEvaluateAsync(ConsumerGroupScripts.GiveBack, [_stream], [_group, .. endOfRead.Select(entry => entry.Id)]) == 1;

    private static StreamEntry ToEntry(RedisResult entry)
    {
        var parts = (RedisResult[])entry!;
        var values = (RedisValue[])parts[1]!;
        var fields = new NameValueEntry[values.Length / 2];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new NameValueEntry(values[2 * i], values[2 * i + 1]);
        }

        return new StreamEntry((RedisValue)parts[0], fields);
    }

    /// <summary>
    /// Takes over entries that another consumer left unacknowledged for too long, with how many times each has now been
    /// delivered (claims included, so crashes count too), one page of the pending list from
    /// <paramref name="cursor"/>, at most <paramref name="count"/> entries and <paramref name="maxBytes"/> bytes (but
    /// always one); the returned cursor is <c>0-0</c> once the whole list has been scanned.
    /// </summary>
    public async Task<(ClaimedEntry[] Claimed, RedisValue NextCursor)> ClaimAbandonedAsync(
        string consumer, TimeSpan minIdleTime, int count, long maxBytes, RedisValue cursor)
    {
        var page = (RedisResult[])(await Database.ScriptEvaluateAsync(
            ConsumerGroupScripts.Claim, [_stream], [_group, consumer, (long)minIdleTime.TotalMilliseconds, cursor, count, maxBytes]))!;
        return (
            [.. ((RedisResult[])page[1]!).Where(entry => !entry.IsNull).Select(entry => new ClaimedEntry(ToEntry(entry), (int)((RedisResult[])entry!)[2]))],
            (RedisValue)page[0]);
    }

    /// <summary>
    /// Resets the idle time of entries this consumer is still working on and still owns (XCLAIM to itself with
    /// JUSTID, which leaves their delivery count alone), so that no consumer, this one included, takes them for
    /// abandoned.
    /// </summary>
    public Task KeepAsync(string consumer, RedisValue[] entryIds, CancellationToken cancellationToken) =>
        EvaluateAsync(ConsumerGroupScripts.Keep, [_stream], [_group, consumer, .. entryIds], cancellationToken);

    /// <summary>
    /// Gives back the entries <paramref name="consumer"/> still has pending, for another consumer to claim at once with
    /// their delivery count as it was before this one took them, and removes <paramref name="consumer"/> from the
    /// group; returns how many entries it gave back.
    /// </summary>
    public async Task<int> HandBackAsync(string consumer, TimeSpan claimIdleTime) =>
        (int)await Database.ScriptEvaluateAsync(
            ConsumerGroupScripts.HandBack, [_stream], [_group, consumer, (long)claimIdleTime.TotalMilliseconds, HandedBackConsumer]);

    /// <summary>
    /// Removes from the group the other consumers that hold no entries and have been idle for
    /// <paramref name="idleTime"/> (dead ones, whose entries were claimed), and starts the idle time of
    /// <paramref name="consumer"/> afresh; returns how many it removed.
    /// </summary>
    public async Task<int> ForgetIdleConsumersAsync(string consumer, TimeSpan idleTime) =>
        (int)await Database.ScriptEvaluateAsync(ConsumerGroupScripts.ForgetIdleConsumers, [_stream], [_group, consumer, (long)idleTime.TotalMilliseconds]);

    public async Task AcknowledgeAsync(IReadOnlyCollection<string> entryIds, CancellationToken cancellationToken)
    {
        if (entryIds.Count == 0)
        {
            return;
        }

        RedisValue[] arguments = [_group, .. entryIds.Select(id => (RedisValue)id)];
        await EvaluateAsync(ConsumerGroupScripts.Acknowledge, [_stream], arguments, cancellationToken);
    }

    public async Task DeadLetterAsync(StreamEntry entry, string reason, CancellationToken cancellationToken)
    {
        RedisValue[] arguments =
        [
            _group,
            entry.Id,
            subscription.DeadLetterMaxLength is { } cap ? cap : string.Empty,
            .. entry.Values.SelectMany(field => new[] { field.Name, field.Value }),
            .. subscription.Destination is { } destination ? [Webhooks.WebhookStream.Fields.Destination, destination] : Array.Empty<RedisValue>(),
            Webhooks.WebhookStream.Fields.Error, reason,
            Webhooks.WebhookStream.Fields.OriginalEntryId, entry.Id,
        ];
        await EvaluateAsync(ConsumerGroupScripts.DeadLetter, [_stream, _deadLetters], arguments, cancellationToken);
    }
}
