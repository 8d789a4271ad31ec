using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>One field of Redis's <c>INFO</c>, as StackExchange.Redis parses it.</summary>
public static class RedisInfo
{
    /// <summary>The field's value in <paramref name="section"/>, or null when Redis reports no such field.</summary>
    public static async Task<string?> FieldAsync(IDatabase database, string section, string field)
    {
        var server = database.Multiplexer.GetServer(database.Multiplexer.GetEndPoints().Single());
        var info = await server.InfoAsync(section);
        return info.SelectMany(fields => fields).FirstOrDefault(pair => pair.Key == field).Value;
    }
}
