namespace PhonicAspire.Benchmarks.Load;

/// <summary>The one HTTP client shape used against every target, so that both sides of a ratio see the same generator.</summary>
public static class LoadClient
{
    public static HttpClient Create(Uri baseAddress, int connections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(10),
        };
}
