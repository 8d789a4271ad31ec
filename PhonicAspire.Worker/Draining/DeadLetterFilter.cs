namespace PhonicAspire.Worker.Draining;

/// <summary>Which dead letters an operation is about: one svix id, those whose reason contains a text, or all.</summary>
public sealed record DeadLetterFilter(string? SvixId = null, string? Reason = null)
{
    public static DeadLetterFilter All { get; } = new();

    // Empty means "any" to the replay script, and a blank reason is in nearly every reason, so a blank filter would be
    // All by accident; All is asked for by name.
    public string? SvixId { get; } = SvixId is not null && string.IsNullOrWhiteSpace(SvixId)
        ? throw new ArgumentException("An svix id to filter by cannot be blank.", nameof(SvixId))
        : SvixId;

    public string? Reason { get; } = Reason is not null && string.IsNullOrWhiteSpace(Reason)
        ? throw new ArgumentException("A reason to filter by cannot be blank.", nameof(Reason))
        : Reason;

    public bool Matches(DeadLetter deadLetter) =>
        (SvixId is null || deadLetter.SvixId == SvixId)
        && (Reason is null || deadLetter.Reason?.Contains(Reason, StringComparison.Ordinal) == true);
}
