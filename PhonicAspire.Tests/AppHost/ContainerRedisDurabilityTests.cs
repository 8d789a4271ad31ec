using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace PhonicAspire.Tests.AppHost;

/// <summary>
/// Containers cannot run here, so the <c>redis</c> container's command is run as the container would run it, and
/// the server it starts is asked what it was told: once as the published manifest has it (every deployment), once
/// as the orchestrator would start it on a Docker user's F5.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class ContainerRedisDurabilityTests(PublishedManifest manifest) : IClassFixture<PublishedManifest>
{
    // Asked of the server itself: what the model lists can differ from what a container's script passes on.
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["appendonly"] = "yes",
        ["appendfsync"] = "always",
        ["maxmemory-policy"] = "noeviction",
        ["maxmemory"] = (256 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["auto-aof-rewrite-min-size"] = (512 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["save"] = string.Empty,
    };

    [Fact]
    public async Task The_published_redis_container_starts_a_server_that_fsyncs_every_write_refuses_writes_past_its_maxmemory_rewrites_its_aof_only_past_512_mb_and_takes_no_snapshots()
    {
        var redis = manifest.Resource("redis");
        var entrypoint = redis.GetProperty("entrypoint").GetString()!;
        var arguments = redis.GetProperty("args").EnumerateArray().Select(argument => argument.GetString()!).ToArray();
        var environment = redis.GetProperty("env").EnumerateObject()
            .ToDictionary(variable => variable.Name, variable => Resolve(variable.Value.GetString()!));

        Assert.Equal(Settings, await SettingsOfServerStartedByAsync(entrypoint, arguments, environment));

        // Quoted, the empty value reaches any redis-server as one; a bare --save reads as empty only from Redis 7.0.1 on.
        Assert.Contains("--save ''", arguments[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_redis_container_as_the_orchestrator_runs_it_starts_a_server_that_fsyncs_every_write_refuses_writes_past_its_maxmemory_rewrites_its_aof_only_past_512_mb_and_takes_no_snapshots()
    {
        await using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.PhonicAspire_AppHost>(
            ["PHONIC_INFRA=containers", "Parameters:phonic-webhook-secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", $"Phonic:RedisMaxMemory={PublishedManifest.MaxMemory}"]);
        var redis = Assert.IsType<ContainerResource>(Assert.Single(builder.Resources, resource => resource.Name == "redis"), exactMatch: false);

        // What Aspire's orchestrator hands the container runtime: with shell execution, every argument joined into
        // one `-c` script for the entrypoint.
        var arguments = await ResourceConfiguration.ArgumentsAsync(redis);
#pragma warning disable ASPIRECONTAINERSHELLEXECUTION001 // Only read, as the orchestrator reads it.
        string[] command = redis.ShellExecution == true ? ["-c", string.Join(' ', arguments)] : [.. arguments];
#pragma warning restore ASPIRECONTAINERSHELLEXECUTION001
        var environment = (await ResourceConfiguration.EnvironmentAsync(redis)).ToDictionary(variable => variable.Key, variable => Resolve(variable.Value));

        Assert.Equal(Settings, await SettingsOfServerStartedByAsync(redis.Entrypoint!, command, environment));
    }

    private static async Task<Dictionary<string, string?>> SettingsOfServerStartedByAsync(
        string entrypoint, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        await using var server = await ContainerCommandRedis.StartAsync(entrypoint, arguments, environment);
        var settings = new Dictionary<string, string?>();
        foreach (var setting in Settings.Keys)
        {
            settings[setting] = await server.ConfigGetAsync(setting);
        }

        return settings;
    }

    // The only placeholders here are generated secrets: any value of the right shape does.
    private static string Resolve(string value) =>
        Placeholder().IsMatch(value) ? RandomNumberGenerator.GetHexString(24) : value;

    [GeneratedRegex(@"^\{[a-z0-9-]+\.value\}$")]
    private static partial Regex Placeholder();
}
