namespace PhonicAspire.Testing;

/// <summary>One replica of a resource: the id commands go to, and the process the orchestrator started.</summary>
public sealed record ResourceInstance(string Id, int ProcessId);
