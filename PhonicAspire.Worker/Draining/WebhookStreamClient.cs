using System.Runtime.CompilerServices;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Resilience;
using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// What operators do with the webhook stream as a whole (the dashboard's commands and the command line): its status,
/// the dead letters listed and replayed, stored events requeued. Each consumer group's own reads and
/// acknowledgements are <see cref="ConsumerGroupStream"/>'s.
/// </summary>
public sealed class WebhookStreamClient(IConnectionMultiplexer redis, TimeProvider timeProvider)
{
    // One page of a dead-letter stream after a cursor: each entry that matches the filter goes back into the main
    // stream (without its dead-letter fields) and out of the dead-letter stream. A forwarding dead letter goes back
    // addressed to its destination alone, with the time of the replay (its age limit counts from then); the storage's
    // goes back for the storage alone, marked to be stored anew as a requeue is (every destination had the entry the
    // first time).
    // ARGV: page size, cursor ('-' for the start), svix id ('' for any), reason substring ('' for any), the field
    // names of the svix id, the error, the original entry id, the destination, the forward-to, the replay time and
    // the reprocess mark, the last entry to look at, the prefix of forwarding groups, and the page's bytes. A
    // forwarding dead letter whose destination has no consumer group (taken out of the configuration) stays, and is
    // counted: in the stream it would wait for a worker that never reads it, and be trimmed unsent.
    // Returns {replayed, last id looked at, 1 while entries may be left to look at (else 0), kept for want of a group}.
    private const string ReplayScript = StreamScriptFunctions.GroupsOf + StreamScriptFunctions.RangeWithin + """
        local entries, more = range_within(KEYS[2], ARGV[2], ARGV[12], tonumber(ARGV[1]), tonumber(ARGV[14]))
        local groups = groups_of(KEYS[1])
        local replayed, kept, last = 0, 0, ARGV[2]
        for _, entry in ipairs(entries) do
            last = entry[1]
            local values, svix, reason, destination = entry[2], '', '', nil
            for i = 1, #values, 2 do
                if values[i] == ARGV[5] then svix = values[i + 1]
                elseif values[i] == ARGV[6] then reason = values[i + 1]
                elseif values[i] == ARGV[8] then destination = values[i + 1] end
            end
            local matches = (ARGV[3] == '' or svix == ARGV[3]) and (ARGV[4] == '' or string.find(reason, ARGV[4], 1, true))
            if matches and destination ~= nil and not groups[ARGV[13] .. destination] then
                kept = kept + 1
            elseif matches then
                local fields, forward = {}, false
                for i = 1, #values, 2 do
                    if values[i] == ARGV[8] then
                        forward = true
                        table.insert(fields, ARGV[9])
                        table.insert(fields, values[i + 1])
                        table.insert(fields, ARGV[10])
                        table.insert(fields, redis.call('TIME')[1])
                    elseif values[i] ~= ARGV[6] and values[i] ~= ARGV[7] and values[i] ~= ARGV[11] then
                        table.insert(fields, values[i])
                        table.insert(fields, values[i + 1])
                    end
                end
                if not forward then
                    table.insert(fields, ARGV[11])
                    table.insert(fields, '1')
                end
                redis.call('XADD', KEYS[1], '*', unpack(fields))
                redis.call('XDEL', KEYS[2], entry[1])
                replayed = replayed + 1
            end
        end
        return {replayed, last, more and 1 or 0, kept}
        """;

    // One page of a stream after a cursor ('-' for the start), as ARGV gives its count and bytes: {entries, 1 while
    // entries may be left (else 0)}.
    private const string PageScript = "#!lua flags=no-writes\n" + StreamScriptFunctions.RangeWithin + """
        local entries, more = range_within(KEYS[1], ARGV[1], '+', tonumber(ARGV[2]), tonumber(ARGV[3]))
        return {entries, more and 1 or 0}
        """;

    // A page of dead letters ends after as many entries or bytes, whichever comes first: the API's largest bodies
    // (2 MiB) make pages of a few entries, Phonic's usual ones (a few kilobytes) pages of the full count.
    private const int PageSize = 100;
    private const int PageBytes = 4 * 1024 * 1024;

    private static readonly RedisKey Stream = WebhookStream.Name;
    private static readonly RedisKey DeadLetters = WebhookStream.DeadLetterName;
    private static readonly RedisValue Group = WebhookStream.ConsumerGroup;

    private IDatabase Database => redis.GetDatabase();

    /// <summary>
    /// Moves the dead letters of <paramref name="deadLetterStream"/> that match <paramref name="filter"/>, all of those
    /// there when it starts, back to the main stream for another try, oldest first, but for forwarding dead letters
    /// whose destination no worker forwards to, which stay.
    /// </summary>
    /// <exception cref="DeadLetterReplayStoppedException">Redis failed a page, with what the pages before it moved.</exception>
    public async Task<DeadLetterReplay> ReplayDeadLettersAsync(DeadLetterFilter filter, string deadLetterStream, CancellationToken cancellationToken)
    {
        long replayed = 0, kept = 0;
        try
        {
            // Up to the newest dead letter now: what a replayed entry's destination refuses again, or a poison entry its
            // storage, is dead-lettered anew behind it within milliseconds, and must wait for the next replay.
            if (await Database.StreamRangeAsync(deadLetterStream, "-", "+", count: 1, Order.Descending).WaitAsync(cancellationToken) is not [var newest])
            {
                return new DeadLetterReplay(0, 0);
            }

            RedisValue cursor = "-";
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RedisValue[] arguments =
                [
                    PageSize, cursor, filter.SvixId ?? string.Empty, filter.Reason ?? string.Empty,
                    WebhookStream.Fields.SvixId, WebhookStream.Fields.Error, WebhookStream.Fields.OriginalEntryId,
                    WebhookStream.Fields.Destination, WebhookStream.Fields.ForwardTo, WebhookStream.Fields.ReplayedAt,
                    WebhookStream.Fields.Reprocess, newest.Id, WebhookStream.ForwardingGroupPrefix, PageBytes,
                ];
                // Given up, a page's script still runs in Redis if it reached it, and moves its entries whole.
                var page = (RedisResult[])(await Database.ScriptEvaluateAsync(ReplayScript, [Stream, deadLetterStream], arguments).WaitAsync(cancellationToken))!;
                replayed += (long)page[0];
                kept += (long)page[3];
                cursor = (RedisValue)page[1];
                if ((long)page[2] == 0)
                {
                    return new DeadLetterReplay(replayed, kept);
                }
            }
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
        {
            throw new DeadLetterReplayStoppedException(new DeadLetterReplay(replayed, kept), exception);
        }
    }

    /// <summary>
    /// Appends stored deliveries to the stream again, marked to be stored anew over their earlier rows (an
    /// operator's <c>phonic requeue</c> after a fix), in the entry format the API writes. It waits for the appends in
    /// flight once there are a few hundred, or 16 MiB of bodies (so at most one body past it), so that it holds only
    /// that much and stops soon after Redis refuses one (full, say) or does not answer in time, or the stored events
    /// can no longer be read, throwing <see cref="RequeueStoppedException"/> with how many it had appended.
    /// </summary>
    public async Task<int> RequeueAsync(IAsyncEnumerable<QueuedDelivery> deliveries, CancellationToken cancellationToken)
    {
        const int AppendsInFlight = 256;
        // Bodies of up to 2 MiB: 256 of them would be half a gigabyte here and on its way to Redis.
        const long BodyBytesInFlight = 16 * 1024 * 1024;
        var database = Database;
        var appends = new List<Task>(AppendsInFlight);
        var requeued = 0;
        var bodyBytes = 0L;
        await using var stored = deliveries.GetAsyncEnumerator(cancellationToken);
        while (await NextAsync(stored, appends, requeued))
        {
            var delivery = stored.Current;
            appends.Add(database.StreamAddAsync(Stream, DeliveryEntry.ToFields(delivery)));
            bodyBytes += delivery.Body.Length;
            if (appends.Count == AppendsInFlight || bodyBytes >= BodyBytesInFlight)
            {
                requeued = await SettleAsync(appends, requeued, cancellationToken);
                bodyBytes = 0;
            }
        }

        return await SettleAsync(appends, requeued, cancellationToken);
    }

    // The stored events can stop coming (PostgreSQL gone mid-read): what was appended stays appended, and is counted.
    // Whatever stops them, the appends on their way are waited for, so that none goes unobserved.
    private static async Task<bool> NextAsync(IAsyncEnumerator<QueuedDelivery> stored, List<Task> appends, int requeuedBefore)
    {
        try
        {
            return await stored.MoveNextAsync();
        }
        catch (Exception exception)
        {
            await Task.WhenAll(appends).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (StorageOutage.IsPostgres(exception))
            {
                throw new RequeueStoppedException(requeuedBefore + appends.Count(append => append.IsCompletedSuccessfully), exception);
            }

            throw;
        }
    }

    private static async Task<int> SettleAsync(List<Task> appends, int requeuedBefore, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(appends).WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is RedisException or RedisTimeoutException)
        {
            throw new RequeueStoppedException(requeuedBefore + appends.Count(append => append.IsCompletedSuccessfully), exception);
        }

        var requeued = requeuedBefore + appends.Count;
        appends.Clear();
        return requeued;
    }

    /// <summary>The dead letters of <paramref name="deadLetterStream"/> that match <paramref name="filter"/>, oldest first, read a page at a time.</summary>
    public async IAsyncEnumerable<DeadLetter> ListDeadLettersAsync(
        DeadLetterFilter filter, string deadLetterStream, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        RedisValue cursor = "-";
        while (true)
        {
            var page = (RedisResult[])(await Database.ScriptEvaluateAsync(PageScript, [deadLetterStream], [cursor, PageSize, PageBytes]).WaitAsync(cancellationToken))!;
            foreach (var entry in (RedisResult[])page[0]!)
            {
                var deadLetter = DeadLetter.From(ToStreamEntry(entry), timeProvider);
                if (filter.Matches(deadLetter))
                {
                    yield return deadLetter;
                }

                cursor = deadLetter.EntryId;
            }

            if ((long)page[1] == 0)
            {
                yield break;
            }
        }
    }

    // An entry as XRANGE answers it inside a script: its id, then its fields and values in one flat list.
    private static StreamEntry ToStreamEntry(RedisResult entry)
    {
        var parts = (RedisResult[])entry!;
        var values = (RedisValue[])parts[1]!;
        var fields = new NameValueEntry[values.Length / 2];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new NameValueEntry(values[2 * i], values[(2 * i) + 1]);
        }

        return new StreamEntry((RedisValue)parts[0], fields);
    }

    public async Task<StreamStatus> GetStatusAsync(CancellationToken cancellationToken)
    {
        var database = Database;
        var length = database.StreamLengthAsync(Stream);
        var deadLetters = CountDeadLettersAsync(database);
        var oldest = database.StreamPendingMessagesAsync(Stream, Group, 1, RedisValue.Null);
        var pending = database.StreamPendingAsync(Stream, Group);

        try
        {
            await Task.WhenAll(length, deadLetters, oldest, pending).WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (StorageOutage.IsMissingConsumerGroup(exception))
        {
            return Status(await length, 0, TimeSpan.Zero, await deadLetters);
        }

        var oldestAge = (await oldest) is [var first, ..] ? timeProvider.GetUtcNow() - StreamEntryId.Parse(first.MessageId!).AppendedAt : TimeSpan.Zero;
        return Status(await length, (await pending).PendingMessageCount, oldestAge, await deadLetters);
    }

    // A dead-letter key overwritten by hand must not hide the backlog: the stream is measured without it.
    private static async Task<(long? Count, string? Refusal)> CountDeadLettersAsync(IDatabase database)
    {
        try
        {
            return (await database.StreamLengthAsync(DeadLetters), null);
        }
        catch (RedisServerException exception) when (!StorageOutage.IsOutage(exception))
        {
            return (null, StorageOutage.Describe(exception));
        }
    }

    private static StreamStatus Status(long length, long pending, TimeSpan oldestPendingAge, (long? Count, string? Refusal) deadLetters) =>
        new(length, pending, oldestPendingAge, deadLetters.Count, deadLetters.Refusal);
}
