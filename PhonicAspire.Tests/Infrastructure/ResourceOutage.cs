namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// A resource a test has stopped or killed. Disposing it starts the resource again and waits until it is healthy,
/// so a test that fails half-way still leaves the stack as it found it for the tests after it.
/// </summary>
public sealed class ResourceOutage(PhonicStackFixture stack, string resource) : IAsyncDisposable
{
    private bool _ended;

    public string Resource => resource;

    /// <summary>Starts the resource again and waits until it is running and healthy.</summary>
    public async Task EndAsync()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        await stack.StartAsync(resource);
    }

    public async ValueTask DisposeAsync() => await EndAsync();
}
