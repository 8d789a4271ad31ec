using System.Reflection;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// A connection to a real Redis on which every command but a script times out, as a Redis that stops answering
/// right after a script would. What a caller does in one script cannot be split by such a failure; what it does in
/// a second call can.
/// </summary>
public class ScriptsOnlyRedis : DispatchProxy
{
    private object _inner = null!;

    public static IConnectionMultiplexer Around(IConnectionMultiplexer multiplexer) => Around<IConnectionMultiplexer>(multiplexer);

    private static T Around<T>(T inner)
        where T : class
    {
        var proxy = Create<T, ScriptsOnlyRedis>();
        ((ScriptsOnlyRedis)(object)proxy)._inner = inner;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (_inner is IConnectionMultiplexer && targetMethod.Name == nameof(IConnectionMultiplexer.GetDatabase))
        {
            return Around((IDatabase)targetMethod.Invoke(_inner, args)!);
        }

        if (_inner is IDatabase && !targetMethod.Name.StartsWith(nameof(IDatabase.ScriptEvaluate), StringComparison.Ordinal))
        {
            throw new RedisTimeoutException($"{targetMethod.Name} timed out: this Redis answers only scripts", CommandStatus.Unknown);
        }

        return targetMethod.Invoke(_inner, args);
    }
}
