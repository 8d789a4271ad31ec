namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// The servers the services depend on, whichever way they run: the services see the same connection strings.
/// </summary>
public sealed record BackingServices(
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> Database);

internal static class ResourceNames
{
    public const string Redis = "redis";
    public const string Postgres = "postgres";
    public const string Database = "phonicdb";
}
