namespace PhonicAspire.AppHost.Infrastructure.Local;

/// <summary>The machine's PostgreSQL server, run by the AppHost on a data folder of its own.</summary>
internal sealed class LocalPostgresResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "tcp";
    public const string UserName = "postgres";

    public ParameterResource PasswordParameter { get; } = password;

    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create(
            $"Host={PrimaryEndpoint.Property(EndpointProperty.Host)};Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={UserName};Password={PasswordParameter}");

    public ReferenceExpression DatabaseConnectionString(string database) =>
        ReferenceExpression.Create($"{ConnectionStringExpression};Database={database}");
}
