using System.Net;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Tests.Infrastructure.Managed;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// The real API and worker on a Redis and a PostgreSQL they do not own, as a managed service runs them: TLS with a
/// certificate from a private CA, passwords, and a Redis that refuses CONFIG.
/// </summary>
[Collection(ManagedServersCollection.Name)]
public sealed class ManagedServerTests(ManagedServersFixture servers)
{
    private const string Api = "PhonicAspire.WebhookApi";
    private const string Worker = "PhonicAspire.Worker";
    private const string UnreadableFsync = "Redis appendfsync cannot be read (the server refuses CONFIG)";
    private static readonly TimeSpan StoreTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Over_tls_with_passwords_a_delivery_is_acknowledged_and_stored_once_the_operator_accepts_the_fsync_redis_cannot_show()
    {
        await using var api = ManagedService.Start(Api, servers, environment => environment["Phonic__AcceptNonDurableRedis"] = "true");
        await using var worker = ManagedService.Start(Worker, servers);

        // Read through INFO: AOF on and no eviction pass, the fsync alone is unknown and accepted.
        var apiHealth = await api.WaitForHealthAsync(health => health.Body.Contains(UnreadableFsync, StringComparison.Ordinal), "the API to have read Redis");
        Assert.Equal(HttpStatusCode.OK, apiHealth.Status);
        Assert.StartsWith("Degraded\nredis-durability: Degraded - Accepted by Phonic:AcceptNonDurableRedis", apiHealth.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("appendonly is", apiHealth.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("maxmemory-policy is", apiHealth.Body, StringComparison.Ordinal);
        await worker.WaitForHealthAsync(health => health.Status == HttpStatusCode.OK, "the worker to be healthy (migrated, Redis and PostgreSQL reachable)");

        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        using var response = await api.Client.SendAsync(webhook.ToRequest());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await Eventually.ReturnsAsync(() => CountStoredAsync(webhook.SvixId), count => count == 1, StoreTimeout, $"{webhook.SvixId} to be stored");
        var entryId = (string?)await servers.RedisDatabase.StringGetAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId);
        Assert.NotNull(entryId);
        await Eventually.ReturnsAsync(
            async () => (await servers.RedisDatabase.StreamRangeAsync(WebhookStream.Name, entryId, entryId)).Length,
            left => left == 0, StoreTimeout, $"stream entry {entryId} to be acknowledged and deleted");

        Assert.DoesNotContain(servers.Redis.Password, api.Output + worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(servers.Postgres.Password, api.Output + worker.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_queue_timeout_set_longer_than_a_second_is_waited_out_in_full_before_a_503()
    {
        await using var api = ManagedService.Start(Api, servers, environment =>
        {
            environment["Phonic__AcceptNonDurableRedis"] = "true";
            environment["Phonic__QueueTimeout"] = "00:00:05";
        });
        await api.WaitForHealthAsync(health => health.Status == HttpStatusCode.OK, "the API to be healthy");

        // Redis holds every write for 2.5 s, within the 5 s the operator allows a delivery to wait.
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        await servers.RedisDatabase.ExecuteAsync("CLIENT", "PAUSE", "2500", "WRITE");
        using var response = await api.Client.SendAsync(webhook.ToRequest());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(await servers.RedisDatabase.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));
    }

    [Fact]
    public async Task Without_the_operator_accepting_it_the_api_refuses_deliveries_on_a_redis_that_refuses_config()
    {
        await using var api = ManagedService.Start(Api, servers);

        var health = await api.WaitForHealthAsync(health => health.Body.Contains(UnreadableFsync, StringComparison.Ordinal), "the API to have read Redis");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Status);
        Assert.StartsWith("Unhealthy\nredis-durability: Unhealthy - Deliveries are refused with 503", health.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("appendonly is", health.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("maxmemory-policy is", health.Body, StringComparison.Ordinal);

        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        using var refused = await api.Client.SendAsync(webhook.ToRequest());
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "queue-not-durable");
        Assert.False(await servers.RedisDatabase.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));
    }

    [Fact]
    public async Task An_api_not_told_to_trust_the_private_ca_does_not_connect_to_redis()
    {
        await using var api = ManagedService.Start(Api, servers, environment =>
        {
            environment.Remove("SERedis_IssuerCertPath");
            environment["Phonic__AcceptNonDurableRedis"] = "true";
        });

        // The client checks the certificate and finds its issuer unknown: it is not taking any certificate it is shown.
        await api.WaitForHealthAsync(health => health.Status != 0, "the API to listen");
        await Eventually.ReturnsAsync(() => Task.FromResult(api.Output), output => output.Contains("UntrustedRoot", StringComparison.Ordinal),
            StoreTimeout, "the API to report Redis's certificate untrusted");
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        using var refused = await api.Client.SendAsync(webhook.ToRequest());
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.ServiceUnavailable, "queue-unavailable");
        var health = await api.WaitForHealthAsync(_ => true, "the API's health");
        Assert.Contains("have not been read yet", health.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redis_takes_only_tls_connections_that_present_its_password()
    {
        var plain = ConfigurationOptions.Parse(servers.Redis.ConnectionString);
        plain.Ssl = false;
        await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectOnceAsync(plain));

        var withoutPassword = ConfigurationOptions.Parse(servers.Redis.ConnectionString);
        withoutPassword.Password = null;
        withoutPassword.TrustIssuer(servers.Certificates.CaPath);
        await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectOnceAsync(withoutPassword));
    }

    [Fact]
    public async Task Postgres_takes_only_tls_with_the_roles_password_and_verify_full_refuses_a_certificate_from_an_unknown_ca()
    {
        var plain = await Assert.ThrowsAsync<PostgresException>(() => OpenOnceAsync(servers.Postgres.For(ManagedPostgresServer.Role, ManagedPostgresServer.Database, SslMode.Disable)));
        Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, plain.SqlState);
        Assert.Contains("no encryption", plain.MessageText, StringComparison.Ordinal);

        var wrongPassword = new NpgsqlConnectionStringBuilder(servers.Postgres.ConnectionString) { Password = "not-the-password" }.ConnectionString;
        var refused = await Assert.ThrowsAsync<PostgresException>(() => OpenOnceAsync(wrongPassword));
        Assert.Equal(PostgresErrorCodes.InvalidPassword, refused.SqlState);

        // Verified, not merely encrypted: without the private CA the client refuses the server.
        var untrusted = new NpgsqlConnectionStringBuilder(servers.Postgres.ConnectionString) { RootCertificate = null }.ConnectionString;
        var unverified = await Assert.ThrowsAsync<NpgsqlException>(() => OpenOnceAsync(untrusted));
        Assert.IsType<System.Security.Authentication.AuthenticationException>(unverified.InnerException);

        // Which is why the README asks for VerifyFull: Require encrypts but takes whatever certificate it is shown.
        await OpenOnceAsync(new NpgsqlConnectionStringBuilder(untrusted) { SslMode = SslMode.Require }.ConnectionString);

        await using var connection = await servers.Postgres.OpenAsync();
        await using var ssl = new NpgsqlCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
        Assert.True((bool)(await ssl.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task A_service_can_trust_the_private_ca_for_both_servers_through_ssl_cert_file_alone()
    {
        // .NET on Linux reads its trusted roots from OpenSSL's SSL_CERT_FILE, for StackExchange.Redis and Npgsql alike.
        await using var worker = ManagedService.Start(Worker, servers, environment =>
        {
            environment.Remove("SERedis_IssuerCertPath");
            environment["ConnectionStrings__phonicdb"] = new NpgsqlConnectionStringBuilder(servers.Postgres.ConnectionString) { RootCertificate = null }.ConnectionString;
            environment["SSL_CERT_FILE"] = servers.Certificates.CaPath;
        });

        var health = await worker.WaitForHealthAsync(health => health.Status == HttpStatusCode.OK, "the worker to be healthy (migrated, Redis and PostgreSQL reachable)");
        Assert.Equal("Healthy", health.Body);
    }

    private static async Task ConnectOnceAsync(ConfigurationOptions options)
    {
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 0;
        options.ConnectTimeout = 2000;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
    }

    private static async Task OpenOnceAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
    }

    private async Task<long> CountStoredAsync(string svixId)
    {
        await using var connection = await servers.Postgres.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM webhook_events WHERE svix_id = $1", connection)
        {
            Parameters = { new() { Value = svixId } },
        };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
