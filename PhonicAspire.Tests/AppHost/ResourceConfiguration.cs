using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging.Abstractions;

namespace PhonicAspire.Tests.AppHost;

/// <summary>Evaluates a resource's arguments and environment as the orchestrator would, without starting anything.</summary>
public static class ResourceConfiguration
{
    public static async Task<IReadOnlyList<string>> ArgumentsAsync(IResource resource)
    {
        var configuration = await ExecutionConfigurationBuilder.Create(resource)
            .WithArgumentsConfig()
            .BuildAsync(Context(DistributedApplicationOperation.Run), NullLogger.Instance, CancellationToken.None);
        ThrowIfFailed(configuration);
        return configuration.Arguments.Select(argument => argument.Value).ToList();
    }

    /// <summary>In publish mode, so references show as expressions and need no allocated endpoints.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> EnvironmentAsync(IResource resource)
    {
        var configuration = await ExecutionConfigurationBuilder.Create(resource)
            .WithEnvironmentVariablesConfig()
            .BuildAsync(Context(DistributedApplicationOperation.Publish), NullLogger.Instance, CancellationToken.None);
        ThrowIfFailed(configuration);
        return configuration.EnvironmentVariables.ToDictionary();
    }

    private static DistributedApplicationExecutionContext Context(DistributedApplicationOperation operation) =>
        new(new DistributedApplicationExecutionContextOptions(operation));

    private static void ThrowIfFailed(IExecutionConfigurationResult configuration)
    {
        if (configuration.Exception is not null)
        {
            ExceptionDispatchInfo.Throw(configuration.Exception);
        }
    }
}
