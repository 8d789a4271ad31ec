namespace PhonicAspire.Worker.Draining;

/// <summary>
/// Lua functions the stream's scripts share, each a constant to put before a script's own lines (after its shebang
/// line, if it has one). A raw string ends without a line break, which the script that follows needs.
/// </summary>
internal static class StreamScriptFunctions
{
    // XINFO GROUPS and XINFO CONSUMERS answer each group or consumer as a flat list of names and values.
    public const string FieldsOf = """
        local function fields_of(reply)
            local fields = {}
            for i = 1, #reply, 2 do fields[reply[i]] = reply[i + 1] end
            return fields
        end
        """ + "\n";

    // Each consumer group of a stream by name, with its XINFO GROUPS fields; none for a missing stream (where XINFO
    // answers "no such key").
    public const string GroupsOf = FieldsOf + """
        local function groups_of(key)
            local groups = {}
            if redis.call('EXISTS', key) == 0 then return groups end
            for _, group in ipairs(redis.call('XINFO', 'GROUPS', key)) do
                local fields = fields_of(group)
                groups[fields['name']] = fields
            end
            return groups
        end
        """ + "\n";

    // Up to `most` entries of a stream after `after` ('-' for its start) and up to `last`, read one at a time and ending
    // once their fields and values reach `budget` bytes (so by at most one entry past it): a script blocks Redis for
    // the API too, and what it reads stays in Redis's memory as Lua strings until Lua's collector frees them, which
    // may be after the script. Returns the entries, and whether it stopped before reaching `last`.
    public const string RangeWithin = """
        local function range_within(key, after, last, most, budget)
            local entries, bytes, start = {}, 0, after
            if start ~= '-' then start = '(' .. start end
            while #entries < most and bytes < budget do
                local found = redis.call('XRANGE', key, start, last, 'COUNT', 1)
                if #found == 0 then return entries, false end
                local entry = found[1]
                table.insert(entries, entry)
                start = '(' .. entry[1]
                for _, value in ipairs(entry[2]) do bytes = bytes + #value end
            end
            return entries, true
        end
        """ + "\n";
}
