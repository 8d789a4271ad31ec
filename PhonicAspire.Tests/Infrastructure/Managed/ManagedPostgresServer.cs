using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace PhonicAspire.Tests.Infrastructure.Managed;

/// <summary>
/// A real PostgreSQL set up as a managed one is: it accepts only TLS connections that present a password
/// (<c>hostssl … scram-sha-256</c> and nothing else in pg_hba.conf), and the services log in as an ordinary role
/// that owns <c>phonicdb</c>, not as a superuser.
/// </summary>
public sealed class ManagedPostgresServer(ServerProcess server, int port, string password, PrivateCertificateAuthority certificates) : IAsyncDisposable
{
    public const string Database = "phonicdb";
    public const string Role = "phonic";

    private const string AdminRole = "phonic_admin";
    private static readonly TimeSpan InitDbTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    /// <summary>What the services are given: TLS that checks the server's certificate and name against the private CA.</summary>
    public string ConnectionString => For(Role, Database);

    public string Password => password;

    public static async Task<ManagedPostgresServer> StartAsync(string directory, PrivateCertificateAuthority certificates)
    {
        var bin = PostgresPrograms.BinDirectory;
        var data = Path.Combine(directory, "postgres");
        Directory.CreateDirectory(data);

        // One password for both roles keeps the fixture small; only the services' role matters to the tests.
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var passwordFile = Path.Combine(directory, "initdb-password");
        await File.WriteAllTextAsync(passwordFile, password);
        if (PostgresPrograms.RunningAsRoot)
        {
            await ServerProcess.RunAsync("chown", [$"{PostgresPrograms.ServiceUser}:{PostgresPrograms.ServiceUser}", data, passwordFile], InitDbTimeout);
        }

        var (initDb, initDbArguments) = PostgresPrograms.AsServiceUser(Path.Combine(bin, "initdb"),
            "-D", data, "-U", AdminRole, "--pwfile", passwordFile, "--auth", "scram-sha-256", "--encoding", "UTF8", "--locale", "C");
        await ServerProcess.RunAsync(initDb, initDbArguments, InitDbTimeout);
        File.Delete(passwordFile);

        // What a managed server allows: TLS with a password from anywhere on loopback, nothing in plain TCP.
        await File.WriteAllTextAsync(Path.Combine(data, "pg_hba.conf"), """
            hostssl all all 127.0.0.1/32 scram-sha-256
            hostssl all all ::1/128 scram-sha-256

            """);
        File.Copy(certificates.ServerCertificatePath, Path.Combine(data, "server.pem"));
        File.Copy(certificates.ServerKeyPath, Path.Combine(data, "server.key"));
        if (PostgresPrograms.RunningAsRoot)
        {
            await ServerProcess.RunAsync("chown", ["-R", $"{PostgresPrograms.ServiceUser}:{PostgresPrograms.ServiceUser}", data], InitDbTimeout);
        }

        var port = LoopbackPorts.Free();
        var (postgres, arguments) = PostgresPrograms.AsServiceUser(Path.Combine(bin, "postgres"),
            "-D", data,
            "-p", port.ToString(CultureInfo.InvariantCulture),
            "-c", "listen_addresses=localhost",
            // No Unix socket either: the only way in is TCP, and TCP is TLS only.
            "-c", "unix_socket_directories=",
            "-c", "ssl=on",
            "-c", "ssl_cert_file=server.pem",
            "-c", "ssl_key_file=server.key");
        var process = ServerProcess.Start(postgres, arguments);
        var managed = new ManagedPostgresServer(process, port, password, certificates);
        try
        {
            await Eventually.ReturnsAsync(managed.AnswersAsync, ready => ready || process.HasExited, ReadyTimeout, "PostgreSQL to accept TLS connections");
            Assert.False(process.HasExited, $"PostgreSQL exited:\n{process.Output}");
            await managed.CreateServiceRoleAndDatabaseAsync();
            return managed;
        }
        catch
        {
            await managed.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connection string as a managed service's user writes it; tests vary the role, database or TLS mode.</summary>
    public string For(string role, string database, SslMode sslMode = SslMode.VerifyFull) => new NpgsqlConnectionStringBuilder
    {
        Host = "localhost",
        Port = port,
        Username = role,
        Password = password,
        Database = database,
        SslMode = sslMode,
        RootCertificate = certificates.CaPath,
    }.ConnectionString;

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();

    private async Task<bool> AnswersAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(For(AdminRole, "postgres"));
            await connection.OpenAsync();
            return true;
        }
        catch (Exception notYet) when (notYet is NpgsqlException or IOException)
        {
            return false;
        }
    }

    private async Task CreateServiceRoleAndDatabaseAsync()
    {
        await using var connection = new NpgsqlConnection(For(AdminRole, "postgres"));
        await connection.OpenAsync();
        // Identifiers and a password cannot be parameters; all three are the fixture's own, the password hex.
        await using (var role = new NpgsqlCommand($"CREATE ROLE {Role} LOGIN PASSWORD '{password}'", connection))
        {
            await role.ExecuteNonQueryAsync();
        }

        await using var database = new NpgsqlCommand($"CREATE DATABASE {Database} OWNER {Role}", connection);
        await database.ExecuteNonQueryAsync();
    }
}
