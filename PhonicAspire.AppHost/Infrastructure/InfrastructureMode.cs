namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>How Redis and PostgreSQL are run for the distributed application.</summary>
public enum InfrastructureMode
{
    /// <summary>Official container images with persistent volumes, through Docker or Podman.</summary>
    Containers,

    /// <summary>The machine's own <c>redis-server</c> and <c>postgres</c> binaries, started as executables.</summary>
    Local,
}
