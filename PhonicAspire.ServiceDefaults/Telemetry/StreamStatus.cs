namespace PhonicAspire.ServiceDefaults.Telemetry;

/// <summary>
/// A snapshot of the webhook stream as the worker last saw it. <paramref name="DeadLetters"/> is null when Redis
/// refused to count them (a dead-letter key overwritten by hand), and <paramref name="DeadLettersUnmeasured"/> then
/// says why.
/// </summary>
public sealed record StreamStatus(long Length, long Pending, TimeSpan OldestPendingAge, long? DeadLetters, string? DeadLettersUnmeasured = null);
