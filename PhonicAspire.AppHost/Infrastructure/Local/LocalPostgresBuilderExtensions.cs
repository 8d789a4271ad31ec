using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace PhonicAspire.AppHost.Infrastructure.Local;

internal static class LocalPostgresBuilderExtensions
{
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(
        this IDistributedApplicationBuilder builder, string name, LocalServerBinaries binaries, string dataDirectory)
    {
        var clusterFolder = LocalPostgresCluster.Folder(dataDirectory, name);
        var cluster = new LocalPostgresCluster(binaries, clusterFolder);
        var password = builder.AddParameter($"{name}-password", LocalSecretFile.ReadOrCreate(Path.Combine(dataDirectory, $"{name}.password")), secret: true);
        var port = LocalPorts.ReserveFree();

        var command = cluster.ServerCommand(port);
        var postgres = new LocalPostgresResource(name, command.FileName, dataDirectory, password.Resource);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(postgres, async (_, cancellationToken) =>
            connectionString = await ((IResourceWithConnectionString)postgres).GetConnectionStringAsync(cancellationToken).ConfigureAwait(false));

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(postgres, async (_, cancellationToken) =>
            await cluster.InitializeAsync(password.Resource, cancellationToken).ConfigureAwait(false));

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of '{name}' is not available yet."),
            name: healthCheckKey);

        builder.Services.AddHostedService(services => new LocalPostgresFastShutdown(
            postgres, clusterFolder, services.GetRequiredService<ResourceLoggerService>(), services.GetRequiredService<ILogger<LocalPostgresFastShutdown>>()));

        return builder.AddResource(postgres)
            .WithEndpoint(LocalPostgresResource.EndpointName, endpoint =>
            {
                endpoint.Port = port;
                endpoint.TargetPort = port;
                endpoint.UriScheme = "tcp";
                endpoint.IsProxied = false;
            })
            .WithArgs(command.Arguments)
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    /// <summary>
    /// Models the database as a connection string under the server (an executable's children never get a state of
    /// their own), creates it once the server is ready, and reports healthy only once it accepts connections.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddLocalDatabase(
        this IResourceBuilder<LocalPostgresResource> server, string databaseName)
    {
        var builder = server.ApplicationBuilder;
        var database = builder.AddConnectionString(databaseName, server.Resource.DatabaseConnectionString(databaseName))
            .WithParentRelationship(server);

        builder.Eventing.Subscribe<ResourceReadyEvent>(server.Resource, async (_, cancellationToken) =>
        {
            var serverConnectionString = await ((IResourceWithConnectionString)server.Resource).GetConnectionStringAsync(cancellationToken).ConfigureAwait(false);
            await CreateDatabaseIfMissingAsync(serverConnectionString!, databaseName, cancellationToken).ConfigureAwait(false);
        });

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database.Resource, async (_, cancellationToken) =>
            connectionString = await ((IResourceWithConnectionString)database.Resource).GetConnectionStringAsync(cancellationToken).ConfigureAwait(false));

        var healthCheckKey = $"{databaseName}_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => connectionString ?? throw new InvalidOperationException($"The connection string of '{databaseName}' is not available yet."),
            name: healthCheckKey);

        return database.WithHealthCheck(healthCheckKey);
    }

    private static async Task CreateDatabaseIfMissingAsync(string serverConnectionString, string databaseName, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection)
        {
            Parameters = { new() { Value = databaseName } },
        };
        if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        // Identifiers cannot be parameters; the name is one of ours, quoted all the same.
        var quotedName = "\"" + databaseName.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var create = new NpgsqlCommand(string.Create(CultureInfo.InvariantCulture, $"CREATE DATABASE {quotedName}"), connection);
        await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
