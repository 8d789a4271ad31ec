using PhonicAspire.Testing;

namespace PhonicAspire.Benchmarks.Stack;

/// <summary>The processes of the benchmarked stack's project resources (see <see cref="ResourceProcesses"/>).</summary>
public sealed class ServiceProcesses(DistributedApplication app)
{
    private const string Postgres = "postgres";
    private const string Redis = "redis";

    public int ServiceOf(string resource, string assemblyName) => ResourceProcesses.ServiceOf(app, resource, assemblyName);

    /// <summary>PostgreSQL's processes as they are now: the postmaster, its background workers and one backend per connection.</summary>
    public IReadOnlyList<int> PostgresProcesses() => ResourceProcesses.DescendantsAndSelf(ResourceProcesses.LauncherOf(app, Postgres));

    /// <summary>Redis's processes as they are now: the server and any child it forked to rewrite its append-only file or save a snapshot.</summary>
    public IReadOnlyList<int> RedisProcesses() => ResourceProcesses.DescendantsAndSelf(ResourceProcesses.LauncherOf(app, Redis));

    /// <inheritdoc cref="ResourceProcesses.ConfigurationOf"/>
    public string ConfigurationOf(string resource) => ResourceProcesses.ConfigurationOf(app, resource);

    /// <summary>The hosting environment a service runs in, read from its process as ASP.NET Core reads it.</summary>
    public string EnvironmentOf(string resource, string assemblyName)
    {
        var pid = ServiceOf(resource, assemblyName);
        return ProcFs.EnvironmentVariable(pid, "ASPNETCORE_ENVIRONMENT") ?? ProcFs.EnvironmentVariable(pid, "DOTNET_ENVIRONMENT") ?? "Production";
    }
}
