using PhonicAspire.Tests.Infrastructure;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// Tests of the store against the stack's PostgreSQL: each test class gets its own store on the real database,
/// migrated before its first test.
/// </summary>
[Collection(StackCollection.Name)]
public abstract class StorageTests(PhonicStackFixture stack) : IAsyncLifetime
{
    private StorageHarness? _harness;

    private protected PhonicStackFixture Stack => stack;

    private protected StorageHarness Harness => _harness ?? throw new InvalidOperationException("The storage harness has not started.");

    public async Task InitializeAsync() => _harness = await StorageHarness.StartAsync(stack);

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }
}
