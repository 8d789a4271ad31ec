namespace PhonicAspire.Webhooks;

/// <summary>
/// The API's append of a verified delivery, as one Lua script: the duplicate check, the <c>XADD</c> and the
/// remembering of the svix id, atomically and in one round trip. Here rather than in the API so that the benchmark's
/// Redis ceiling runs this very script, not a copy that could drift from it.
/// </summary>
public static class EnqueueScript
{
    /// <summary>
    /// KEYS: the stream, then the svix id's accepted key. ARGV: how long to remember the id (seconds), then the
    /// entry's fields and values (<see cref="DeliveryEntry.ToArguments"/>). Returns the entry id, or nil for a duplicate.
    /// </summary>
    public const string Text = """
        if redis.call('EXISTS', KEYS[2]) == 1 then
            return false
        end
        local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
        redis.call('SET', KEYS[2], id, 'EX', ARGV[1])
        return id
        """;
}
