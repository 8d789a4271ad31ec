namespace PhonicAspire.Tests.AppHost;

/// <summary>What a deployment gets from the published manifest, and what it must not get.</summary>
public sealed class PublishedManifestTests(PublishedManifest manifest) : IClassFixture<PublishedManifest>
{
    [Fact]
    public void The_manifest_has_the_services_and_their_backing_servers_and_nothing_for_development_only()
    {
        var names = manifest.Resources.EnumerateObject().Select(resource => resource.Name).ToArray();

        Assert.Superset(new HashSet<string> { "phonic-webhook-secret", "redis", "postgres", "phonicdb", "webhookapi", "worker" }, names.ToHashSet());
        Assert.DoesNotContain("phonic-operator-key", names);
        foreach (var service in new[] { "webhookapi", "worker" })
        {
            var environment = manifest.Resource(service).GetProperty("env").EnumerateObject().Select(variable => variable.Name);
            Assert.DoesNotContain("Operator__Key", environment);
        }
    }

    [Fact]
    public void The_backing_servers_are_containers_even_where_the_machine_publishing_has_no_container_engine()
    {
        Assert.Equal("container.v0", manifest.Resource("redis").GetProperty("type").GetString());
        Assert.Equal("container.v0", manifest.Resource("postgres").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Publishing_with_the_local_servers_asked_for_is_refused_in_one_line_naming_why()
    {
        var (exitCode, output, error) = await AppHostProcess.RunAsync(
            new Dictionary<string, string> { ["PHONIC_INFRA"] = "local" },
            "--publisher", "manifest", "--output-path", Path.Combine(Path.GetTempPath(), $"phonic-manifest-{Guid.NewGuid():N}.json"));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("PHONIC_INFRA=local", line, StringComparison.Ordinal);
        Assert.Contains("publish", line, StringComparison.Ordinal);
        Assert.Empty(output.Trim());
    }

    [Fact]
    public void The_webhook_secret_is_a_secret_parameter_given_only_to_the_api()
    {
        var secret = manifest.Resource("phonic-webhook-secret");
        Assert.Equal("parameter.v0", secret.GetProperty("type").GetString());
        Assert.True(secret.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.False(secret.GetProperty("inputs").GetProperty("value").TryGetProperty("default", out _), "a webhook secret must never have a default");

        Assert.Equal("{phonic-webhook-secret.value}", manifest.Resource("webhookapi").GetProperty("env").GetProperty("Phonic__WebhookSecrets").GetString());
        Assert.False(manifest.Resource("worker").GetProperty("env").TryGetProperty("Phonic__WebhookSecrets", out _));
    }

    [Fact]
    public void The_services_reach_redis_and_postgres_through_references_not_literals()
    {
        Assert.Equal("{redis.connectionString}", Environment("webhookapi", "ConnectionStrings__redis"));
        Assert.Equal("{redis.connectionString}", Environment("worker", "ConnectionStrings__redis"));
        Assert.Equal("{phonicdb.connectionString}", Environment("worker", "ConnectionStrings__phonicdb"));
    }

    [Fact]
    public void The_published_postgres_container_is_given_the_server_settings_for_a_disk_it_shares_with_redis()
    {
        var arguments = manifest.Resource("postgres").GetProperty("args").EnumerateArray().Select(argument => argument.GetString()!).ToArray();

        // The postgres image's entrypoint runs `postgres` with arguments that begin with a dash.
        Assert.Equal(["-c", "backend_flush_after=256kB", "-c", "wal_init_zero=off"], arguments);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_published_postgres_container_creates_its_cluster_in_utf8_with_the_c_locale_and_passwords()
    {
        var environment = manifest.Resource("postgres").GetProperty("env").EnumerateObject()
            .ToDictionary(variable => variable.Name, variable => variable.Value.GetString()!);

        await ContainerInitDbCluster.AssertCreatesUtf8ClusterWithCLocaleAndPasswordsAsync(environment);
    }

    [Fact]
    public void The_published_manifest_starts_the_worker_alone_with_the_frameworks_precompiled_code_off()
    {
        Assert.Equal("0", Environment("worker", "DOTNET_ReadyToRun"));
        Assert.Null(Environment("webhookapi", "DOTNET_ReadyToRun"));
    }

    private string? Environment(string service, string variable) =>
        manifest.Resource(service).GetProperty("env").TryGetProperty(variable, out var value) ? value.GetString() : null;
}
