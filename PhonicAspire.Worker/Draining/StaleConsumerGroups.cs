using StackExchange.Redis;

namespace PhonicAspire.Worker.Draining;

/// <summary>
/// Removes consumer groups of a stream that nobody reads any more: the stream is trimmed only below what every group
/// still needs, so such a group would keep every entry from then on.
/// </summary>
public sealed class StaleConsumerGroups(IConnectionMultiplexer redis)
{
    // Checks and removes in one step: a consumer that joined the group between a check and a removal would find it
    // gone, create it again from the stream's start and read the whole stream again.
    // An entry's id starts with the milliseconds of Redis's clock when it was appended, so Redis's clock tells its age.
    // No stream yet, no group. ARGV: the stale age in ms, the groups' prefix, then the groups to keep. Returns the groups
    // removed.
    private const string RemoveStaleScript = StreamScriptFunctions.GroupsOf + """
        local configured, removed = {}, {}
        for i = 3, #ARGV do configured[ARGV[i]] = true end
        local stale = tonumber(ARGV[1])
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        for name, fields in pairs(groups_of(KEYS[1])) do
            if string.sub(name, 1, #ARGV[2]) == ARGV[2] and not configured[name] then
                local unread = redis.call('XRANGE', KEYS[1], '(' .. fields['last-delivered-id'], '+', 'COUNT', 1)
                local behind = #unread > 0 and now - tonumber(string.match(unread[1][1], '^(%d+)-')) > stale
                local read_lately = false
                if behind then
                    for _, consumer in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], name)) do
                        if fields_of(consumer)['idle'] <= stale then read_lately = true end
                    end
                end
                if behind and not read_lately then
                    redis.call('XGROUP', 'DESTROY', KEYS[1], name)
                    table.insert(removed, name)
                end
            end
        end
        return removed
        """;

    /// <summary>
    /// Removes the groups of <paramref name="stream"/> named with <paramref name="prefix"/>, other than <paramref name="keep"/>, that have fallen
    /// <paramref name="staleAfter"/> behind (the oldest entry they have not read was appended that long ago) with no
    /// consumer that has read for as long; returns their names.
    /// </summary>
    public async Task<string[]> RemoveAsync(string stream, string prefix, IEnumerable<string> keep, TimeSpan staleAfter, CancellationToken cancellationToken)
    {
        RedisValue[] arguments = [(long)staleAfter.TotalMilliseconds, prefix, .. keep.Select(group => (RedisValue)group)];
        return (string[])(await redis.GetDatabase().ScriptEvaluateAsync(RemoveStaleScript, [stream], arguments).WaitAsync(cancellationToken))!;
    }
}
