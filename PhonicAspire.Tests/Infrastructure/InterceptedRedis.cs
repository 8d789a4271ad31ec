using System.Reflection;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// A connection to a real Redis that runs a test's step before each command it is given, at the moment a fault or a
/// concurrent change would come: the step can throw in the command's place, or change Redis before the command runs.
/// </summary>
public class InterceptedRedis : DispatchProxy
{
    private object _inner = null!;
    private Action<MethodInfo> _beforeCommand = null!;

    /// <param name="beforeCommand">Given each <see cref="IDatabase"/> method as it is called.</param>
    public static IConnectionMultiplexer Around(IConnectionMultiplexer multiplexer, Action<MethodInfo> beforeCommand) =>
        Around<IConnectionMultiplexer>(multiplexer, beforeCommand);

    /// <summary>Every command but a script times out, as a Redis that stops answering right after a script would.</summary>
    public static IConnectionMultiplexer AnsweringScriptsOnly(IConnectionMultiplexer multiplexer) =>
        Around(multiplexer, command =>
        {
            if (!command.Name.StartsWith(nameof(IDatabase.ScriptEvaluate), StringComparison.Ordinal))
            {
                throw new RedisTimeoutException($"{command.Name} timed out: this Redis answers only scripts", CommandStatus.Unknown);
            }
        });

    private static T Around<T>(T inner, Action<MethodInfo> beforeCommand)
        where T : class
    {
        var proxy = Create<T, InterceptedRedis>();
        var interceptor = (InterceptedRedis)(object)proxy;
        (interceptor._inner, interceptor._beforeCommand) = (inner, beforeCommand);
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (_inner is IConnectionMultiplexer && targetMethod.Name == nameof(IConnectionMultiplexer.GetDatabase))
        {
            return Around((IDatabase)targetMethod.Invoke(_inner, args)!, _beforeCommand);
        }

        if (_inner is IDatabase)
        {
            _beforeCommand(targetMethod);
        }

        return targetMethod.Invoke(_inner, args);
    }
}
