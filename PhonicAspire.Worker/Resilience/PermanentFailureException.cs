namespace PhonicAspire.Worker.Resilience;

/// <summary>A failure that waiting cannot cure (a migration PostgreSQL rejects), so the outage policy lets it through.</summary>
public sealed class PermanentFailureException(string message, Exception cause) : Exception(message, cause);
