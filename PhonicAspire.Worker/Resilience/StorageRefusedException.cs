namespace PhonicAspire.Worker.Resilience;

/// <summary>
/// PostgreSQL failed a batch and Phonic's own sample event alike: the error is the database's, not an entry's (a
/// constraint or trigger added by hand, say), so the batch is waited out like an outage rather than dead-lettered
/// entry by entry.
/// </summary>
public sealed class StorageRefusedException(Exception batchError)
    : Exception($"PostgreSQL refuses the batch and Phonic's sample event alike ({StorageOutage.Describe(batchError)}).", batchError);
