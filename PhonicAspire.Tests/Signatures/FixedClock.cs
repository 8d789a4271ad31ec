namespace PhonicAspire.Tests.Signatures;

/// <summary>A clock stopped at one unix second, so timestamp tolerance can be tested at its exact edges.</summary>
internal sealed class FixedClock(long unixSeconds) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
}
