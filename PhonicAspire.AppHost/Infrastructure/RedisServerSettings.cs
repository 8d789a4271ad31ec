using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// What Redis is told, in both modes. The API acknowledges a webhook once Redis has accepted it, so Redis must not
/// lose an acknowledged write: every write is appended to the AOF and fsynced before Redis replies, and a full Redis
/// refuses writes (the API answers 503 and Svix retries) rather than evicting entries that are not stored yet. How
/// full is full is the operator's: <c>Phonic:RedisMaxMemory</c> (Redis's own units, such as <c>512mb</c>).
/// </summary>
internal sealed partial class RedisServerSettings(string? maxMemory)
{
    public const string MaxMemoryKey = "Phonic:RedisMaxMemory";

    /// <remarks>
    /// No snapshots (<c>save ""</c>): the append-only file is what a restart loads, while Redis's default save points
    /// (and Aspire's <c>--save 60 1</c> for a container with a data volume) would have it fork every minute under load
    /// to write everything it holds to the disk its fsyncs wait on, and write it all once more, synchronously, at every
    /// stop. Save points add up, and an empty one clears those before it: it must come after Aspire's.
    /// </remarks>
    public static readonly IReadOnlyDictionary<string, string> Durable = new Dictionary<string, string>
    {
        ["appendonly"] = "yes",
        ["appendfsync"] = "always",
        ["maxmemory-policy"] = "noeviction",
        ["save"] = "",
    };

    /// <summary>
    /// Redis rewrites its AOF once it is twice as large as after the last rewrite and at least
    /// <c>auto-aof-rewrite-min-size</c>. The stream is trimmed as the worker stores, so what a rewrite writes stays a
    /// few megabytes while the AOF grows by every body: at the default 64 MB, an end-to-end run at 3,000 deliveries/s
    /// rewrote it every 5 s (a fork, and about 10 MB written and fsynced on the disk whose every write the API's
    /// appends wait on). At 512 MB about every 100 s, for 7-8 us less of Redis's CPU a delivery (three alternating
    /// pairs of <c>scripts/bench --only end-to-end</c>). A restart replays the file: at most about 512 MB while what a
    /// rewrite writes stays under 256 MB (525 MB of 190,000 appends loaded in 1 s), twice what a rewrite wrote when
    /// more (a backlog behind a long outage).
    /// </summary>
    private static readonly IReadOnlyDictionary<string, string> Rewrite = new Dictionary<string, string>
    {
        ["auto-aof-rewrite-min-size"] = "512mb",
    };

    public IEnumerable<string> Arguments =>
        Durable.Concat(Rewrite).SelectMany(setting => new[] { $"--{setting.Key}", setting.Value })
            .Concat(maxMemory is null ? [] : ["--maxmemory", maxMemory]);

    public static bool TryRead(IConfiguration configuration, out RedisServerSettings settings, out string problem)
    {
        var maxMemory = configuration[MaxMemoryKey]?.Trim();
        settings = new RedisServerSettings(string.IsNullOrEmpty(maxMemory) ? null : maxMemory.ToLowerInvariant());
        problem = string.Empty;
        if (!string.IsNullOrEmpty(maxMemory) && !MemorySize().IsMatch(maxMemory))
        {
            problem = $"{MaxMemoryKey}='{maxMemory}' is not a size Redis takes: use bytes or a number with kb, mb or gb, such as 512mb.";
            return false;
        }

        return true;
    }

    [GeneratedRegex("^[0-9]+(b|k|kb|m|mb|g|gb)?$", RegexOptions.IgnoreCase)]
    private static partial Regex MemorySize();
}

internal static class RedisServerSettingsExtensions
{
    /// <summary>
    /// Aspire's Redis container runs <c>/bin/sh -c "redis-server …"</c>. When publishing, Aspire writes that script
    /// itself, and arguments added after it become the script's <c>$0</c>, <c>$1</c>… that never reach the server;
    /// when running, the orchestrator joins every argument into the script (shell execution). The settings are
    /// placed in the script in the first case and left to the orchestrator in the second, after Aspire's own
    /// arguments in both (its <c>--save 60 1</c> among them, which ours clears), and quoted for the shell: unquoted, the
    /// empty value of <c>save</c> would vanish from the script, leaving a bare <c>--save</c> that only Redis 7.0.1 and
    /// later read as empty.
    /// </summary>
    public static IResourceBuilder<RedisResource> WithServerSettings(this IResourceBuilder<RedisResource> redis, RedisServerSettings settings) =>
        redis.WithArgs(context =>
        {
            var script = context.Args.IndexOf("-c") + 1;
            if (script > 0 && script < context.Args.Count && context.Args[script] is string command
                && command.StartsWith("redis-server", StringComparison.Ordinal))
            {
                context.Args[script] = $"{command} {string.Join(' ', settings.Arguments.Select(ShellWord))}";
            }
#pragma warning disable ASPIRECONTAINERSHELLEXECUTION001 // Only read, to know where arguments land.
            else if (script == 0 && redis.Resource.ShellExecution == true)
#pragma warning restore ASPIRECONTAINERSHELLEXECUTION001
            {
                foreach (var argument in settings.Arguments)
                {
                    context.Args.Add(ShellWord(argument));
                }
            }
            else
            {
                throw new DistributedApplicationException(
                    "The Redis container's command is no longer `/bin/sh -c \"redis-server …\"`, so its durability settings cannot be placed; " +
                    "check how this Aspire version starts Redis before acknowledging webhooks on it.");
            }
        });

    // One word of a POSIX shell script that reads back as exactly the argument.
    private static string ShellWord(string argument) =>
        argument.Length > 0 && argument.All(character => char.IsAsciiLetterOrDigit(character) || "-_.:/=".Contains(character))
            ? argument
            : $"'{argument.Replace("'", "'\\''", StringComparison.Ordinal)}'";
}
