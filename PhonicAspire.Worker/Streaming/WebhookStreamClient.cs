using System.Globalization;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Streaming;

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

    // Back into the main stream, oldest first, then out of the dead-letter stream.
    private const string ReplayScript = """
        local entries = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', ARGV[1])
        for _, entry in ipairs(entries) do
            local fields = {}
            local values = entry[2]
            for i = 1, #values, 2 do
                local name = values[i]
                if name ~= ARGV[2] and name ~= ARGV[3] then
                    table.insert(fields, name)
                    table.insert(fields, values[i + 1])
                end
            end
            redis.call('XADD', KEYS[1], '*', unpack(fields))
            redis.call('XDEL', KEYS[2], entry[1])
        end
        return #entries
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

    /// <summary>Redis lost the group (a restart without its data, or a deleted stream): it must be made again.</summary>
    public static bool IsMissingGroup(Exception exception) =>
        exception is RedisServerException redis && redis.Message.StartsWith("NOGROUP", StringComparison.Ordinal);

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

    /// <summary>Moves up to <paramref name="count"/> dead letters back to the main stream for another try.</summary>
    public async Task<long> ReplayDeadLettersAsync(int count)
    {
        // A page per script: entries can be megabytes each, and a long script would stall Redis for the API too.
        const int PageSize = 100;
        long replayed = 0;
        while (replayed < count)
        {
            RedisValue[] arguments = [Math.Min(PageSize, count - replayed), WebhookStream.Fields.Error, WebhookStream.Fields.OriginalEntryId];
            var page = (long)await Database.ScriptEvaluateAsync(ReplayScript, [Stream, DeadLetters], arguments);
            replayed += page;
            if (page < PageSize)
            {
                break;
            }
        }

        return replayed;
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
        catch (Exception exception) when (IsMissingGroup(exception))
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
