using PhonicAspire.AppHost.Infrastructure.Containers;

namespace PhonicAspire.Tests.AppHost;

/// <summary>
/// Containers cannot run on a machine without Docker, so the containers-mode model is checked as built: images,
/// volumes and the references and waits between resources. What Redis is told to do is checked by running its
/// command (<see cref="ContainerRedisDurabilityTests"/>), how PostgreSQL creates its cluster by running its initdb
/// (<see cref="ContainerInitDbCluster"/>).
/// </summary>
public sealed class ContainerModeModelTests
{
    private static async Task<IDistributedApplicationTestingBuilder> CreateAsync() =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.PhonicAspire_AppHost>(
            ["PHONIC_INFRA=containers", "Parameters:phonic-webhook-secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]);

    private static T Resource<T>(IDistributedApplicationTestingBuilder builder, string name) where T : IResource =>
        Assert.IsType<T>(Assert.Single(builder.Resources, resource => resource.Name == name), exactMatch: false);

    [Fact]
    public async Task Redis_is_a_redis_7_container_with_a_data_volume()
    {
        await using var builder = await CreateAsync();
        var redis = Resource<ContainerResource>(builder, "redis");

        Assert.True(redis.TryGetLastAnnotation<ContainerImageAnnotation>(out var image));
        Assert.Contains("redis", image.Image, StringComparison.Ordinal);
        Assert.StartsWith("7.", image.Tag, StringComparison.Ordinal);

        var volume = Assert.Single(redis.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal(ContainerMountType.Volume, volume.Type);
        Assert.Equal("/data", volume.Target);
    }

    // The volume's cluster can only be served by the major version that made it, so the major is the project's to
    // choose, not whatever default the next Aspire package brings; from 18 the image keeps its cluster in
    // /var/lib/postgresql/18/docker, so the volume must hold /var/lib/postgresql or the cluster is not kept.
    [Fact]
    public async Task Postgres_is_a_postgresql_18_container_with_a_volume_that_holds_its_cluster_and_the_phonicdb_database()
    {
        await using var builder = await CreateAsync();
        var postgres = Resource<ContainerResource>(builder, "postgres");

        Assert.True(postgres.TryGetLastAnnotation<ContainerImageAnnotation>(out var image));
        Assert.Contains("postgres", image.Image, StringComparison.Ordinal);
        Assert.Equal(ContainerBackingServices.PostgresImageTag, image.Tag);
        Assert.StartsWith("18.", image.Tag, StringComparison.Ordinal);
        var volume = Assert.Single(postgres.Annotations.OfType<ContainerMountAnnotation>());
        Assert.Equal(ContainerMountType.Volume, volume.Type);
        Assert.Equal("/var/lib/postgresql", volume.Target);

        var database = Resource<IResourceWithParent>(builder, "phonicdb");
        Assert.Same(postgres, database.Parent);
    }

    [Fact]
    public async Task Postgres_container_is_given_the_server_settings_for_a_disk_it_shares_with_redis()
    {
        await using var builder = await CreateAsync();
        var postgres = Resource<ContainerResource>(builder, "postgres");

        // The postgres image's entrypoint runs `postgres` with arguments that begin with a dash.
        Assert.Equal(["-c", "backend_flush_after=256kB", "-c", "wal_init_zero=off"], await ResourceConfiguration.ArgumentsAsync(postgres));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Postgres_container_creates_its_cluster_in_utf8_with_the_c_locale_and_passwords()
    {
        await using var builder = await CreateAsync();
        var postgres = Resource<ContainerResource>(builder, "postgres");

        await ContainerInitDbCluster.AssertCreatesUtf8ClusterWithCLocaleAndPasswordsAsync(await ResourceConfiguration.EnvironmentAsync(postgres));
    }

    [Theory]
    [InlineData("webhookapi", new[] { "redis" })]
    [InlineData("worker", new[] { "redis", "phonicdb" })]
    public async Task Services_reference_and_wait_for_what_they_use(string service, string[] dependencies)
    {
        await using var builder = await CreateAsync();
        var project = Resource<ProjectResource>(builder, service);

        var waitsFor = project.Annotations.OfType<WaitAnnotation>().Select(wait => wait.Resource.Name).ToArray();
        var environment = await ResourceConfiguration.EnvironmentAsync(project);
        foreach (var dependency in dependencies)
        {
            Assert.Contains(dependency, waitsFor);
            Assert.Contains($"ConnectionStrings__{dependency}", environment.Keys);
        }
    }

    [Fact]
    public async Task Webhook_secret_is_a_secret_parameter_given_to_the_api()
    {
        await using var builder = await CreateAsync();
        var secret = Resource<ParameterResource>(builder, "phonic-webhook-secret");
        Assert.True(secret.Secret);

        var api = Resource<ProjectResource>(builder, "webhookapi");
        var environment = await ResourceConfiguration.EnvironmentAsync(api);
        Assert.Equal("{phonic-webhook-secret.value}", environment["Phonic__WebhookSecrets"]);
    }
}
