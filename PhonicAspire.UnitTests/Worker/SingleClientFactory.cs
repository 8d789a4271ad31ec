namespace PhonicAspire.UnitTests.Worker;

/// <summary>Hands every caller a client over one in-test destination.</summary>
internal sealed class SingleClientFactory(HttpMessageHandler handler) : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
}
