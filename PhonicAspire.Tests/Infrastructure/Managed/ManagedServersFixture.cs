using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure.Managed;

/// <summary>
/// A Redis and a PostgreSQL the services do not own, as a managed service runs them: TLS with a certificate from a
/// private CA, passwords, CONFIG refused. Started once for <see cref="ManagedServersCollection"/>; each test starts
/// the services it needs on them.
/// </summary>
public sealed class ManagedServersFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("phonic-managed-");
    private ManagedRedisServer? _redis;
    private ManagedPostgresServer? _postgres;
    private ConnectionMultiplexer? _redisConnection;

    public PrivateCertificateAuthority Certificates { get; private set; } = null!;

    public ManagedRedisServer Redis => _redis ?? throw new InvalidOperationException("The servers have not started.");

    public ManagedPostgresServer Postgres => _postgres ?? throw new InvalidOperationException("The servers have not started.");

    /// <summary>The tests' own connection, over TLS with the password like the services'.</summary>
    public IDatabase RedisDatabase => (_redisConnection ?? throw new InvalidOperationException("The servers have not started.")).GetDatabase();

    /// <summary>
    /// What a service needs on these servers: the connection strings as the managed service hands them out, and, for
    /// StackExchange.Redis, which has no connection-string option for it, the private CA to trust in
    /// <c>SERedis_IssuerCertPath</c>. Npgsql is told in its connection string (<c>Root Certificate</c>).
    /// </summary>
    public Dictionary<string, string> ServiceEnvironment(string url) => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_URLS"] = url,
        ["ConnectionStrings__redis"] = Redis.ConnectionString,
        ["ConnectionStrings__phonicdb"] = Postgres.ConnectionString,
        ["SERedis_IssuerCertPath"] = Certificates.CaPath,
        ["Phonic__WebhookSecrets"] = PhonicStackFixture.WebhookSecret,
        // Read Redis's settings every second rather than every 30 s, so /health tells the tests soon.
        ["Phonic__DurabilityCheckInterval"] = "00:00:01",
    };

    public async Task InitializeAsync()
    {
        // Under root PostgreSQL runs as the postgres user, which must be able to enter the folder.
        if (!OperatingSystem.IsWindows())
        {
            _directory.UnixFileMode |= UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        }

        try
        {
            Certificates = PrivateCertificateAuthority.Create(_directory.FullName);
            _redis = await ManagedRedisServer.StartAsync(_directory.FullName, Certificates);
            _postgres = await ManagedPostgresServer.StartAsync(_directory.FullName, Certificates);
            _redisConnection = await Redis.ConnectAsync();
        }
        catch
        {
            // A server that did start must not outlive a fixture that failed.
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        _redisConnection?.Dispose();
        _redisConnection = null;
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
            _redis = null;
        }

        if (_postgres is not null)
        {
            await _postgres.DisposeAsync();
            _postgres = null;
        }

        if (_directory.Exists)
        {
            _directory.Delete(recursive: true);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ManagedServersCollection : ICollectionFixture<ManagedServersFixture>
{
    public const string Name = "Managed servers";
}
