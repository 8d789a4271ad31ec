namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// The API acknowledges a webhook once Redis has accepted it, so Redis must not lose an acknowledged write: every
/// write is appended to the AOF and fsynced before Redis replies, and a full Redis refuses writes (the API answers
/// 503 and Svix retries) rather than evicting entries that are not stored yet.
/// </summary>
internal static class RedisDurability
{
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["appendonly"] = "yes",
        ["appendfsync"] = "always",
        ["maxmemory-policy"] = "noeviction",
    };

    public static IEnumerable<string> Arguments => Settings.SelectMany(setting => new[] { $"--{setting.Key}", setting.Value });

    /// <summary>
    /// Aspire's Redis container runs <c>/bin/sh -c "redis-server …"</c>. When publishing, Aspire writes that script
    /// itself, and arguments added after it become the script's <c>$0</c>, <c>$1</c>… that never reach the server;
    /// when running, the orchestrator joins every argument into the script (shell execution). The settings are
    /// placed in the script in the first case and left to the orchestrator in the second.
    /// </summary>
    public static IResourceBuilder<RedisResource> WithDurableServer(this IResourceBuilder<RedisResource> redis) =>
        redis.WithArgs(context =>
        {
            var script = context.Args.IndexOf("-c") + 1;
            if (script > 0 && script < context.Args.Count && context.Args[script] is string command
                && command.StartsWith("redis-server", StringComparison.Ordinal))
            {
                context.Args[script] = $"{command} {string.Join(' ', Arguments)}";
            }
#pragma warning disable ASPIRECONTAINERSHELLEXECUTION001 // Only read, to know where arguments land.
            else if (script == 0 && redis.Resource.ShellExecution == true)
#pragma warning restore ASPIRECONTAINERSHELLEXECUTION001
            {
                foreach (var argument in Arguments)
                {
                    context.Args.Add(argument);
                }
            }
            else
            {
                throw new DistributedApplicationException(
                    "The Redis container's command is no longer `/bin/sh -c \"redis-server …\"`, so its durability settings cannot be placed; " +
                    "check how this Aspire version starts Redis before acknowledging webhooks on it.");
            }
        });
}
