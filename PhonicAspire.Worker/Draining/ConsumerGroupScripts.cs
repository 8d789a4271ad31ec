namespace PhonicAspire.Worker.Draining;

/// <summary>
/// The Lua scripts behind <see cref="ConsumerGroupStream"/>: each runs in Redis as one step, so what it checks and what
/// it changes cannot be interleaved with another consumer's commands.
/// </summary>
internal static class ConsumerGroupScripts
{
    // What the scripts below share: each group's last-delivered id, and the bytes of an entry's fields and values. A
    // stream deleted while a batch was in flight has no groups: its batch's acknowledgement and dead letters then
    // succeed (rather than fail on XINFO, and the dead letter, already written, be written again by each retry).
    private const string Functions = StreamScriptFunctions.GroupsOf + """
        local function last_delivered(key)
            local ids = {}
            for name, fields in pairs(groups_of(key)) do ids[name] = fields['last-delivered-id'] end
            return ids
        end
        local function size_of(entry)
            local size = 0
            for _, value in ipairs(entry[2]) do size = size + string.len(value) end
            return size
        end
        """ + "\n";

    // The lowest id still needed: per group, its oldest pending entry, or the entry after the last one it read.
    // Ids compare as (milliseconds, sequence). MINID keeps that entry and everything after it. Nothing is trimmed
    // while the storage's group is missing (a fresh or emptied Redis, before the first worker made it): entries
    // queued before then are the storage's to read from the start.
    private const string TrimBelowOldestNeeded = $$"""
        local function parse(id)
            local dash = string.find(id, '-', 1, true)
            return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
        end
        local floor_ms, floor_seq, storage
        for name, last in pairs(last_delivered(KEYS[1])) do
            if name == '{{Webhooks.WebhookStream.ConsumerGroup}}' then storage = true end
            local pending = redis.call('XPENDING', KEYS[1], name)
            local ms, seq
            if pending[1] > 0 then
                ms, seq = parse(pending[2])
            else
                ms, seq = parse(last)
                seq = seq + 1
            end
            if floor_ms == nil or ms < floor_ms or (ms == floor_ms and seq < floor_seq) then
                floor_ms, floor_seq = ms, seq
            end
        end
        if storage and floor_ms ~= nil then
            redis.call('XTRIM', KEYS[1], 'MINID', string.format('%d-%d', floor_ms, floor_seq))
        end
        """;

    // The group, unless it exists, and the consumer ARGV[2] in it, in one step: a group is never seen without a
    // consumer, which StaleConsumerGroups would take for one whose consumers all went quiet. The group starts where the
    // group ARGV[3] is, if given and there, or else at the stream's start. Allowed past maxmemory (Redis refuses both
    // XGROUP calls there otherwise): a worker started while Redis is full must still join its group to drain what
    // filled it. ARGV: the group, the consumer, the group to start where (or empty).
    public const string CreateGroup = "#!lua flags=allow-oom\n" + Functions + """
        local start = ARGV[3] ~= '' and last_delivered(KEYS[1])[ARGV[3]] or '0'
        local created = redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], start, 'MKSTREAM')
        if type(created) == 'table' and created.err and string.sub(created.err, 1, 9) ~= 'BUSYGROUP' then
            return redis.error_reply(created.err)
        end
        redis.call('XGROUP', 'CREATECONSUMER', KEYS[1], ARGV[1], ARGV[2])
        """;

    // ARGV: the group, then the entry ids.
    public const string Acknowledge = Functions + """
        redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
        """ + "\n" + TrimBelowOldestNeeded;

    // Copy to the group's dead-letter stream (capped when ARGV[3] is not empty) and acknowledge in one step, so the
    // entry is in exactly one of this group's two places. An entry no longer pending was moved by an attempt whose
    // answer was lost, and is not copied again; the checks come before the first write, which an error after it would
    // not undo. Allowed past maxmemory: an entry is moved once, so the dead letters outgrow the limit by no more than
    // the poison entries, and refused, the move would hold its batch, and the drain that frees Redis, until something
    // else made room. ARGV: the group, the entry id, the cap, then the fields.
    public const string DeadLetter = "#!lua flags=allow-oom\n" + Functions + """
        if redis.call('EXISTS', KEYS[1]) == 1 and #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1) == 0 then
            return
        end
        if ARGV[3] == '' then
            redis.call('XADD', KEYS[2], '*', unpack(ARGV, 4))
        else
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 4))
        end
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        """ + "\n" + TrimBelowOldestNeeded;

    // Gives back the entries one XREADGROUP took past a read's byte bound, as though never read: the group's
    // last-delivered id set back to the stream's entry just before the first of them (or to the stream's start when
    // none is left before it), with the count of entries it has read one less for each given back (so that its lag
    // stays exact), and the entries dropped from the pending list, so that the next read delivers them again. The entry
    // just before them, not the last entry the reader kept: that may come from its read before, and another consumer
    // may have read in between. An entry's own id, not one computed below it: the id below a sequence of 0 has the
    // largest sequence, which the trim above cannot count in Lua's numbers. Only while the group's last-delivered id is
    // still the last of them: then they are the last entries the group read, and once another consumer has read past
    // them, setting it back would hand that consumer's entries out twice, so the reader keeps them instead. Ids only:
    // the bodies stay out of the script (a read through a script copied each into Lua and out again, about 16 us of
    // Redis's CPU an entry against 6-9 us for plain XREADGROUPs: 60,000 entries of the sample body, Redis 7.0).
    // ARGV: the group, then the ids given back, oldest first, the last of them the last that XREADGROUP returned.
    // Returns 1 when given back, else 0.
    public const string GiveBack = StreamScriptFunctions.GroupsOf + """
        local group = groups_of(KEYS[1])[ARGV[1]]
        if group == nil or group['last-delivered-id'] ~= ARGV[#ARGV] then return 0 end
        local before = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[2], '-', 'COUNT', 1)
        local back_to = before[1] and before[1][1] or '0-0'
        local back = #ARGV - 1
        if group['entries-read'] then
            redis.call('XGROUP', 'SETID', KEYS[1], ARGV[1], back_to, 'ENTRIESREAD', group['entries-read'] - back)
        else
            redis.call('XGROUP', 'SETID', KEYS[1], ARGV[1], back_to)
        end
        redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
        return 1
        """;

    // One page of the group's pending entries idle for at least ARGV[3] ms, from the cursor ARGV[4] (inclusive, or
    // '(id' exclusive): as many as ARGV[5] and ARGV[6] bytes allow (at least one), claimed for ARGV[2] in the same step.
    // XCLAIM drops from the pending list what the stream no longer holds. Returns {next cursor or '0-0', entries}, each
    // entry {id, fields, delivery count}: counted in the same step, so no failure between two calls can leave the
    // entries claimed (and idle for ClaimIdleTime again) without the counts the crash check needs. An entry already
    // delivered more than once was abandoned again after a claim, its batch having taken a worker down twice: it comes
    // in a page of its own (the page ends before it, or holds it alone), so that what crashes a worker is told apart
    // from what only shared its batch.
    public const string Claim = Functions + """
        local start = ARGV[4]
        if start == '0-0' then start = '-' end
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], 'IDLE', ARGV[3], start, '+', ARGV[5])
        local budget, bytes, ids, counts, next = tonumber(ARGV[6]), 0, {}, {}, '0-0'
        for _, entry in ipairs(pending) do
            local size = 0
            for _, found in ipairs(redis.call('XRANGE', KEYS[1], entry[1], entry[1])) do size = size + size_of(found) end
            local suspect = entry[4] > 1
            if #ids > 0 and (suspect or bytes + size > budget) then
                next = entry[1]
                break
            end
            bytes = bytes + size
            table.insert(ids, entry[1])
            -- XCLAIM counts one more delivery.
            counts[entry[1]] = entry[4] + 1
            if suspect then
                next = '(' .. entry[1]
                break
            end
        end
        if next == '0-0' and #pending == tonumber(ARGV[5]) then next = '(' .. pending[#pending][1] end
        if #ids == 0 then return {next, {}} end
        local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[3], unpack(ids))
        for _, entry in ipairs(claimed) do
            if entry then table.insert(entry, counts[entry[1]]) end
        end
        return {next, claimed}
        """;

    // Only the entries still pending for this consumer: one another consumer took over (after this one stalled) stays
    // that consumer's, rather than both handling it. ARGV: the group, the consumer, then the entry ids.
    public const string Keep = """
        local mine = {}
        for i = 3, #ARGV do
            if #redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2]) > 0 then
                table.insert(mine, ARGV[i])
            end
        end
        if #mine == 0 then return 0 end
        table.insert(mine, 'JUSTID')
        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(mine))
        return #mine - 1
        """;

    // Every entry still pending for consumer ARGV[2] goes to consumer ARGV[4] as though ARGV[2] had never taken it: the
    // delivery count one less (the next claim adds it back) and idle ARGV[3] ms, old enough to be claimed at once. A
    // page at a time from the pending list's start. Then ARGV[2], holding nothing, leaves the group: each process is a
    // consumer of its own, and every deploy would otherwise add one for good. Returns how many entries were handed
    // back. ARGV: the group, the consumer, the idle time, the consumer that holds what is handed back.
    public const string HandBack = """
        local handed = 0
        repeat
            local page = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1000, ARGV[2])
            for _, entry in ipairs(page) do
                redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[4], 0, entry[1], 'IDLE', ARGV[3], 'RETRYCOUNT', math.max(entry[4] - 1, 0), 'JUSTID')
            end
            handed = handed + #page
        until #page < 1000
        redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
        return handed
        """;

    // A consumer holding nothing loses nothing by leaving, and checked and removed in one step it cannot take an entry
    // in between. The one calling, ARGV[2], leaves and joins again when it holds nothing, which starts its idle time
    // afresh (Redis 7.0 counts idle time from the last read that returned entries, so a poll that finds nothing new
    // does not restart it; 7.2 counts from every read): so running consumers that call this more often than ARGV[3]
    // never look idle to one another, and the group always has one consumer. Allowed past maxmemory like the group's creation, which
    // refuses XGROUP CREATECONSUMER there otherwise: a full Redis is when draining matters most. ARGV: the group, the
    // calling consumer, the idle time in ms. Returns how many other consumers left.
    public const string ForgetIdleConsumers = "#!lua flags=allow-oom\n" + StreamScriptFunctions.FieldsOf + """
        local forgotten = 0
        for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
            local fields = fields_of(consumer)
            local calling = fields['name'] == ARGV[2]
            if fields['pending'] == 0 and (calling or fields['idle'] >= tonumber(ARGV[3])) then
                redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], fields['name'])
                if not calling then forgotten = forgotten + 1 end
            end
        end
        redis.call('XGROUP', 'CREATECONSUMER', KEYS[1], ARGV[1], ARGV[2])
        return forgotten
        """;
}
