using StackExchange.Redis;

namespace PhonicAspire.Webhooks;

/// <summary>
/// Error replies of a Redis that is loading its data, busy with a long script, between primaries or short of the
/// replicas it must write to: the same command a moment later can succeed. Any other error reply (WRONGTYPE, NOPERM,
/// a script's error) fails every attempt alike until someone looks.
/// </summary>
public static class PassingRedisErrors
{
    private static readonly string[] Codes = ["LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "READONLY", "CLUSTERDOWN", "NOREPLICAS"];

    // The code as a whole word: BUSYGROUP (a consumer group that exists) and BUSYKEY are other replies than BUSY.
    public static bool Passes(RedisServerException reply) =>
        Codes.Any(code => reply.Message.StartsWith(code, StringComparison.Ordinal)
            && (reply.Message.Length == code.Length || reply.Message[code.Length] == ' '));
}
