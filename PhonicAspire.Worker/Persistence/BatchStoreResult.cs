namespace PhonicAspire.Worker.Persistence;

/// <summary>The svix ids of a batch, split into those stored now and those stored before (or earlier in the batch).</summary>
public sealed record BatchStoreResult(IReadOnlyList<string> Stored, IReadOnlyList<string> Duplicates);
