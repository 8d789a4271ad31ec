using System.Globalization;
using System.Security.Cryptography;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Infrastructure.Managed;

/// <summary>
/// A real <c>redis-server</c> set up as a managed Redis is: TLS only (no plain-TCP port at all), a password, and
/// <c>CONFIG</c> renamed away so that its settings can only be read through <c>INFO</c>. It is durable all the same
/// (AOF, fsync on every write), though through INFO the API can see only the AOF.
/// </summary>
public sealed class ManagedRedisServer(ServerProcess server, int port, string password, PrivateCertificateAuthority certificates) : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    public string Password => password;

    /// <summary>What a managed service hands out: host, TLS, password, and the name its certificate is checked against.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"localhost:{port},ssl=true,password={password},sslHost=localhost");

    public static async Task<ManagedRedisServer> StartAsync(string directory, PrivateCertificateAuthority certificates)
    {
        var port = LoopbackPorts.Free();
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var server = ServerProcess.Start("redis-server",
        [
            "--port", "0",
            "--tls-port", port.ToString(CultureInfo.InvariantCulture),
            "--tls-cert-file", certificates.ServerCertificatePath,
            "--tls-key-file", certificates.ServerKeyPath,
            "--tls-ca-cert-file", certificates.CaPath,
            "--tls-auth-clients", "no",
            "--bind", "127.0.0.1", "-::1",
            "--requirepass", password,
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--rename-command", "CONFIG", "",
            "--dir", directory,
        ]);
        var redis = new ManagedRedisServer(server, port, password, certificates);
        try
        {
            await Eventually.ReturnsAsync(redis.AnswersAsync, ready => ready || server.HasExited, ReadyTimeout, "redis-server to accept TLS connections");
            Assert.False(server.HasExited, $"redis-server exited:\n{server.Output}");
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    /// <summary>The tests' own client: the same connection string, the private CA trusted for this connection only.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var options = ConfigurationOptions.Parse(ConnectionString);
        options.TrustIssuer(certificates.CaPath);
        return await ConnectionMultiplexer.ConnectAsync(options);
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();

    private async Task<bool> AnswersAsync()
    {
        try
        {
            await using var connection = await ConnectAsync();
            await connection.GetDatabase().PingAsync();
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }
}
