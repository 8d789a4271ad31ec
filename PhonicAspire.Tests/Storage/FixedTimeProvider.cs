namespace PhonicAspire.Tests.Storage;

/// <summary>A clock stopped at one instant, so tests can predict <c>stored_at</c>.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
