using System.Globalization;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Resilience;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// The worker's side of the webhook stream: the consumer group, reads, reclaims, acknowledgements and the
/// dead-letter stream. Entries leave the stream only once stored or dead-lettered; nothing is ever trimmed.
/// </summary>
public sealed class WebhookStreamClient(IConnectionMultiplexer redis, TimeProvider timeProvider)
{
    // XACK and XDEL together, so a stored entry is neither redelivered nor left behind in the stream.
    private const string AcknowledgeScript = """
        redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
        return redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
        """;

    // Copy to the dead-letter stream and remove from the main stream in one step: an entry is in exactly one.
    private const string DeadLetterScript = """
        redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        return redis.call('XDEL', KEYS[1], ARGV[2])
        """;

    // One page of the dead-letter stream after a cursor: each entry that matches the filter goes back into the main
    // stream (without its dead-letter fields) and out of the dead-letter stream, until the limit. Returns
    // {replayed, last id looked at, entries in the page}.
    // ARGV: page size, cursor ('-' for the start), svix id ('' for any), reason substring ('' for any), limit,
    // and the field names of the svix id, the error and the original entry id.
    private const string ReplayScript = """
        local start = ARGV[2]
        if start ~= '-' then start = '(' .. start end
        local entries = redis.call('XRANGE', KEYS[2], start, '+', 'COUNT', ARGV[1])
        local replayed, last = 0, ARGV[2]
        for _, entry in ipairs(entries) do
            if replayed >= tonumber(ARGV[5]) then break end
            last = entry[1]
            local values, svix, reason = entry[2], '', ''
            for i = 1, #values, 2 do
                if values[i] == ARGV[6] then svix = values[i + 1] elseif values[i] == ARGV[7] then reason = values[i + 1] end
            end
            if (ARGV[3] == '' or svix == ARGV[3]) and (ARGV[4] == '' or string.find(reason, ARGV[4], 1, true)) then
                local fields = {}
                for i = 1, #values, 2 do
                    if values[i] ~= ARGV[7] and values[i] ~= ARGV[8] then
                        table.insert(fields, values[i])
                        table.insert(fields, values[i + 1])
                    end
                end
                redis.call('XADD', KEYS[1], '*', unpack(fields))
                redis.call('XDEL', KEYS[2], entry[1])
                replayed = replayed + 1
            end
        end
        return {replayed, last, #entries}
        """;

    private static readonly RedisKey Stream = WebhookStream.Name;
    private static readonly RedisKey DeadLetters = WebhookStream.DeadLetterName;
    private static readonly RedisValue Group = WebhookStream.ConsumerGroup;

    private IDatabase Database => redis.GetDatabase();

    /// <summary>Creates the group from the start of the stream, so entries queued before any worker ran are kept.</summary>
    public async Task EnsureConsumerGroupAsync()
    {
        try
        {
            await Database.StreamCreateConsumerGroupAsync(Stream, Group, StreamPosition.Beginning, createStream: true);
        }
        catch (RedisServerException exception) when (exception.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }

    public Task<StreamEntry[]> ReadNewAsync(string consumer, int count) =>
        Database.StreamReadGroupAsync(Stream, Group, consumer, StreamPosition.NewMessages, count);

    /// <summary>
    /// Takes over entries that another consumer left unacknowledged for too long, one page of the pending list from
    /// <paramref name="cursor"/>; the returned cursor is <c>0-0</c> once the whole list has been scanned.
    /// </summary>
    public async Task<(StreamEntry[] Claimed, RedisValue NextCursor)> ClaimAbandonedAsync(
        string consumer, TimeSpan minIdleTime, int count, RedisValue cursor)
    {
        var claimed = await Database.StreamAutoClaimAsync(Stream, Group, consumer, (long)minIdleTime.TotalMilliseconds, cursor, count);
        if (claimed.DeletedIds.Length > 0)
        {
            await Database.StreamAcknowledgeAsync(Stream, Group, claimed.DeletedIds);
        }

        return (claimed.ClaimedEntries.Where(entry => !entry.IsNull).ToArray(), claimed.NextStartId);
    }

    /// <summary>How many times each of these pending entries has been delivered to a consumer, claims included.</summary>
    public async Task<IReadOnlyDictionary<string, int>> GetDeliveryCountsAsync(IReadOnlyList<StreamEntry> entries)
    {
        // One exact range per entry, pipelined: a range from the smallest id to the largest would need ids compared
        // as (milliseconds, sequence), and as text "…-12" sorts before "…-5". Claims are rare; this is not a hot path.
        var database = Database;
        var pending = await Task.WhenAll(entries.Select(entry =>
            database.StreamPendingMessagesAsync(Stream, Group, 1, RedisValue.Null, entry.Id, entry.Id)));
        return pending.SelectMany(messages => messages).ToDictionary(message => message.MessageId.ToString(), message => message.DeliveryCount);
    }

    public async Task AcknowledgeAsync(IReadOnlyCollection<string> entryIds)
    {
        if (entryIds.Count == 0)
        {
            return;
        }

        RedisValue[] arguments = [Group, .. entryIds.Select(id => (RedisValue)id)];
        await Database.ScriptEvaluateAsync(AcknowledgeScript, [Stream], arguments);
    }

    public async Task DeadLetterAsync(StreamEntry entry, string reason)
    {
        RedisValue[] arguments =
        [
            Group,
            entry.Id,
            .. entry.Values.SelectMany(field => new[] { field.Name, field.Value }),
            WebhookStream.Fields.Error, reason,
            WebhookStream.Fields.OriginalEntryId, entry.Id,
        ];
        await Database.ScriptEvaluateAsync(DeadLetterScript, [Stream, DeadLetters], arguments);
    }

    /// <summary>
    /// Moves the dead letters that match <paramref name="filter"/>, up to <paramref name="limit"/>, back to the main
    /// stream for another try, oldest first.
    /// </summary>
    public async Task<long> ReplayDeadLettersAsync(DeadLetterFilter filter, int limit)
    {
        // A page per script: entries can be megabytes each, and a long script would stall Redis for the API too.
        const int PageSize = 100;
        long replayed = 0;
        RedisValue cursor = "-";
        while (replayed < limit)
        {
            RedisValue[] arguments =
            [
                PageSize, cursor, filter.SvixId ?? string.Empty, filter.Reason ?? string.Empty, limit - replayed,
                WebhookStream.Fields.SvixId, WebhookStream.Fields.Error, WebhookStream.Fields.OriginalEntryId,
            ];
            var page = (RedisResult[])(await Database.ScriptEvaluateAsync(ReplayScript, [Stream, DeadLetters], arguments))!;
            replayed += (long)page[0];
            cursor = (RedisValue)page[1];
            if ((long)page[2] < PageSize)
            {
                break;
            }
        }

        return replayed;
    }

    /// <summary>
    /// Appends stored deliveries to the stream again, marked to be stored anew over their earlier rows (an
    /// operator's <c>phonic requeue</c> after a fix), in the entry format the API writes.
    /// </summary>
    public async Task<int> RequeueAsync(IAsyncEnumerable<QueuedDelivery> deliveries, CancellationToken cancellationToken)
    {
        var database = Database;
        var appended = new List<Task>();
        await foreach (var delivery in deliveries.WithCancellation(cancellationToken))
        {
            appended.Add(database.StreamAddAsync(Stream, DeliveryEntry.ToFields(delivery)));
        }

        await Task.WhenAll(appended);
        return appended.Count;
    }

    /// <summary>The dead letters that match <paramref name="filter"/>, oldest first, read a page at a time.</summary>
    public async IAsyncEnumerable<DeadLetter> ListDeadLettersAsync(DeadLetterFilter filter)
    {
        const int PageSize = 100;
        RedisValue start = "-";
        while (true)
        {
            var page = await Database.StreamRangeAsync(DeadLetters, start, "+", PageSize);
            foreach (var entry in page)
            {
                var deadLetter = DeadLetter.From(entry, timeProvider);
                if (filter.Matches(deadLetter))
                {
                    yield return deadLetter;
                }
            }

            if (page.Length < PageSize)
            {
                yield break;
            }

            start = $"({page[^1].Id}";
        }
    }

    public async Task<StreamStatus> GetStatusAsync()
    {
        var database = Database;
        var length = database.StreamLengthAsync(Stream);
        var deadLetters = database.StreamLengthAsync(DeadLetters);
        var oldest = database.StreamPendingMessagesAsync(Stream, Group, 1, RedisValue.Null);
        var pending = database.StreamPendingAsync(Stream, Group);

        try
        {
            await Task.WhenAll(length, deadLetters, oldest, pending);
        }
        catch (Exception exception) when (StorageOutage.IsMissingConsumerGroup(exception))
        {
            return new StreamStatus(await length, 0, TimeSpan.Zero, await deadLetters);
        }

        var oldestAge = (await oldest) is [var first, ..] ? AgeOf(first.MessageId!) : TimeSpan.Zero;
        return new StreamStatus(await length, (await pending).PendingMessageCount, oldestAge, await deadLetters);
    }

    // A stream id starts with the unix milliseconds at which Redis appended the entry.
    private TimeSpan AgeOf(string entryId)
    {
        var milliseconds = long.Parse(entryId.AsSpan(0, entryId.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
        return timeProvider.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }
}
