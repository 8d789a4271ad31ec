using PhonicAspire.Benchmarks.Stack;

namespace PhonicAspire.Benchmarks.Drain;

/// <summary>
/// Starts and stops the worker replicas a drain round runs with. A round's workers are all started fresh, so that
/// every round begins alike, and they count as ready once each one's own <c>/health</c> says so, which a worker
/// does once its migrations are applied, just before it starts polling the stream.
/// </summary>
public sealed class DrainWorkers(PhonicStack stack, TimeProvider timeProvider)
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Kills idle workers (nothing pending), which lose nothing to a kill.</summary>
    public async Task StopAsync(IEnumerable<string> instances, CancellationToken cancellationToken)
    {
        foreach (var instance in instances)
        {
            await stack.KillAsync(instance, PhonicStack.WorkerAssembly, cancellationToken);
        }
    }

    /// <summary>Starts the first <paramref name="count"/> worker replicas, which must be stopped, and waits until all are ready.</summary>
    public async Task<IReadOnlyList<string>> StartAsync(int count, CancellationToken cancellationToken)
    {
        var instances = stack.WorkerInstances.Take(count).ToArray();
        if (instances.Length < count)
        {
            throw new InvalidOperationException($"The stack runs {stack.WorkerInstances.Count} worker replicas; {count} were asked for.");
        }

        await Task.WhenAll(instances.Select(instance => stack.StartAsync(instance, cancellationToken)));
        using var health = new InstanceHealth(stack.Processes);
        var started = timeProvider.GetTimestamp();
        foreach (var instance in instances)
        {
            while (!await health.IsHealthyAsync(instance, PhonicStack.WorkerAssembly, cancellationToken))
            {
                if (timeProvider.GetElapsedTime(started) > ReadyLimit)
                {
                    throw new TimeoutException($"Worker '{instance}' was not healthy within {ReadyLimit}: {stack.Describe(instance)}.");
                }

                await Task.Delay(PollInterval, timeProvider, cancellationToken);
            }
        }

        return instances;
    }
}
