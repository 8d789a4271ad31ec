namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>The machine's <c>redis-server</c>, run by the AppHost, with the same connection string shape as the container.</summary>
internal sealed class LocalRedisResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";

    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.HostAndPort)},password={password}");
}
