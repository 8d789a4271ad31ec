namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// The API acknowledges a webhook once Redis has accepted it, so Redis must not lose an acknowledged write:
/// every write is appended to the AOF and fsynced before Redis replies.
/// </summary>
internal static class RedisDurability
{
    public static readonly string[] Arguments = ["--appendonly", "yes", "--appendfsync", "always"];
}
