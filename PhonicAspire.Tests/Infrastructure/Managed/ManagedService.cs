using System.Net;

namespace PhonicAspire.Tests.Infrastructure.Managed;

/// <summary>The API or the worker run alone on the managed servers, with a client of its own address.</summary>
public sealed class ManagedService(ServiceProcess process, HttpClient client) : IAsyncDisposable
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);

    public HttpClient Client => client;

    public string Output => process.Output;

    public static ManagedService Start(string assemblyName, ManagedServersFixture servers, Action<Dictionary<string, string>>? configure = null)
    {
        var url = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        var environment = servers.ServiceEnvironment(url);
        configure?.Invoke(environment);
        return new ManagedService(
            ServiceProcess.Start(assemblyName, environment),
            new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) });
    }

    /// <summary>Waits, with a bound, until <c>/health</c> answers as <paramref name="expected"/> says, and returns that answer.</summary>
    public async Task<(HttpStatusCode Status, string Body)> WaitForHealthAsync(Func<(HttpStatusCode Status, string Body), bool> expected, string what)
    {
        var deadline = DateTime.UtcNow + HealthTimeout;
        while (true)
        {
            var health = await HealthEndpoint.ReadAsync(client);
            if (expected(health))
            {
                return health;
            }

            if (DateTime.UtcNow > deadline)
            {
                // The service's output is read now, not when the wait began: it says why the health never came.
                Assert.Fail($"Timed out after {HealthTimeout.TotalSeconds:0} s waiting for {what}; last /health: {health}; its output:\n{Output}");
            }

            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await process.DisposeAsync();
    }
}
