namespace PhonicAspire.Webhooks;

/// <summary>
/// The API's append of verified deliveries, as one Lua script: for each, the duplicate check, the <c>XADD</c> and the
/// remembering of the svix id, atomically and in one round trip for the whole batch. Here rather than in the API so
/// that the benchmark's Redis ceiling runs this very script, not a copy that could drift from it.
/// </summary>
public static class EnqueueScript
{
    /// <summary>
    /// KEYS: the stream, then each delivery's accepted key. ARGV: how long to remember the ids (seconds), then for
    /// each delivery the number of its entry's fields and values, followed by them
    /// (<see cref="DeliveryEntry.ToArguments"/>). Returns, per delivery, its entry id, nil for a duplicate (also of an
    /// earlier delivery in the same batch), or the error Redis gave its <c>XADD</c> (OOM when Redis is full). Once
    /// the entry is appended, failing to remember its id (OOM) still returns the id: the entry is durable, and a
    /// retry that appends it again is a duplicate the worker skips.
    /// </summary>
    public const string Text = """
        local results, at = {}, 2
        for key = 2, #KEYS do
            local count = tonumber(ARGV[at])
            if redis.call('EXISTS', KEYS[key]) == 1 then
                results[key - 1] = false
            else
                local id = redis.pcall('XADD', KEYS[1], '*', unpack(ARGV, at + 1, at + count))
                if type(id) == 'string' then
                    redis.pcall('SET', KEYS[key], id, 'EX', ARGV[1])
                end
                results[key - 1] = id
            end
            at = at + count + 1
        end
        return results
        """;
}
