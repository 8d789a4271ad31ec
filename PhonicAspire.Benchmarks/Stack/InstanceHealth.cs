using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Stack;

/// <summary>
/// Whether one replica of a service is ready, asked of its own <c>/health</c> on the address its process listens on
/// (its <c>ASPNETCORE_URLS</c>). Not the orchestrator's health of the replica: with the other replicas stopped, a
/// running worker replica that was already polling stayed Unhealthy to it for minutes, presumably because its
/// readiness probe goes to the endpoint all replicas share.
/// </summary>
public sealed class InstanceHealth(ServiceProcesses processes) : IDisposable
{
    private static readonly TimeSpan RequestLimit = TimeSpan.FromSeconds(5);

    private readonly HttpClient _client = new() { Timeout = RequestLimit };

    /// <summary>True once the instance's service process answers <c>/health</c> with success; false while it starts.</summary>
    public async Task<bool> IsHealthyAsync(string instance, string assemblyName, CancellationToken cancellationToken)
    {
        int pid;
        try
        {
            pid = processes.ServiceOf(instance, assemblyName);
        }
        catch (InvalidOperationException)
        {
            // Not launched yet: no pid reported, or its launcher has not started the service process.
            return false;
        }

        if (ProcFs.EnvironmentVariable(pid, "ASPNETCORE_URLS")?.Split(';')[0] is not { Length: > 0 } address)
        {
            // Not this instance's service yet: a replica the round before stopped, exiting but still listed under the
            // launcher the orchestrator reported, or the service caught while it is being started. Two drain runs
            // stopped on such a process when this threw; the caller's wait for readiness is bounded.
            return false;
        }

        try
        {
            using var response = await _client.GetAsync(new Uri(new Uri(address), "/health"), cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            // Not listening yet.
            return false;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Listening, but too busy starting to answer within the request's limit.
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}
