namespace PhonicAspire.WebhookApi.Queueing.Durability;

/// <summary>
/// What Redis says of the four settings that decide whether a webhook it acknowledged can be lost, and each one
/// that falls short, said as what it would cost.
/// </summary>
public sealed record RedisDurabilityReport(IReadOnlyList<string> Problems)
{
    public static RedisDurabilityReport NotChecked { get; } = new(["Redis's durability settings have not been read yet."]);

    public bool IsDurable => Problems.Count == 0;

    /// <param name="appendOnly">CONFIG GET appendonly (or INFO persistence's aof_enabled as yes/no).</param>
    /// <param name="appendFsync">CONFIG GET appendfsync; null where the server refuses CONFIG.</param>
    /// <param name="noAppendFsyncOnRewrite">CONFIG GET no-appendfsync-on-rewrite; null where the server refuses CONFIG.</param>
    /// <param name="maxMemoryPolicy">CONFIG GET maxmemory-policy (or INFO memory's maxmemory_policy).</param>
    public static RedisDurabilityReport Evaluate(string? appendOnly, string? appendFsync, string? noAppendFsyncOnRewrite, string? maxMemoryPolicy)
    {
        var problems = new List<string>();
        if (appendOnly != "yes")
        {
            problems.Add($"Redis appendonly is '{appendOnly ?? "unknown"}', not 'yes': acknowledged webhooks live only in memory until the next snapshot, and a crash loses them.");
        }

        if (appendFsync is null)
        {
            problems.Add("Redis appendfsync cannot be read (the server refuses CONFIG): unless it is 'always', a crash can lose the webhooks acknowledged in the last second.");
        }
        else if (appendFsync != "always")
        {
            problems.Add($"Redis appendfsync is '{appendFsync}', not 'always': a crash can lose the webhooks acknowledged since the last fsync (up to a second, or more with 'no').");
        }

        // Where CONFIG is refused the line above already says the fsync is unknown; this one would only repeat it.
        if (appendFsync is not null && noAppendFsyncOnRewrite != "no")
        {
            // Redis skips the fsync of 'always' while a child process runs (a snapshot, an AOF rewrite) and replies anyway.
            problems.Add($"Redis no-appendfsync-on-rewrite is '{noAppendFsyncOnRewrite ?? "unknown"}', not 'no': while Redis saves a snapshot or rewrites its AOF it answers without fsyncing, and a crash then can lose the webhooks acknowledged since the last fsync.");
        }

        if (maxMemoryPolicy != "noeviction")
        {
            problems.Add($"Redis maxmemory-policy is '{maxMemoryPolicy ?? "unknown"}', not 'noeviction': a full Redis evicts webhooks that are not stored yet.");
        }

        return new RedisDurabilityReport(problems);
    }

    public override string ToString() => IsDurable ? "Redis fsyncs every write and never evicts." : string.Join(" ", Problems);
}
