using System.Runtime.Versioning;
using PhonicAspire.Tests.AppHost;
using PhonicAspire.WebhookApi.Queueing.Durability;
using StackExchange.Redis;

namespace PhonicAspire.Tests.WebhookApi;

/// <summary>The probe against real redis-servers configured each way, including one that refuses CONFIG as managed services do.</summary>
[SupportedOSPlatform("linux")]
public sealed class RedisDurabilityProbeTests
{
    private static async Task<RedisDurabilityReport> ReadAsync(string serverArguments)
    {
        await using var redis = await ContainerCommandRedis.StartAsync("/bin/sh", ["-c", $"redis-server {serverArguments}"], new Dictionary<string, string>());
        return await new RedisDurabilityProbe(redis.Connection).ReadAsync();
    }

    [Fact]
    public async Task A_redis_that_fsyncs_every_write_and_never_evicts_is_durable()
    {
        var report = await ReadAsync("--appendonly yes --appendfsync always --maxmemory-policy noeviction");

        Assert.True(report.IsDurable, report.ToString());
    }

    [Fact]
    public async Task A_redis_with_default_settings_is_named_for_its_missing_aof()
    {
        var report = await ReadAsync("");

        Assert.Contains(report.Problems, problem => problem.Contains("appendonly is 'no'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_redis_that_fsyncs_every_second_is_named_for_its_fsync()
    {
        var report = await ReadAsync("--appendonly yes --appendfsync everysec --maxmemory-policy noeviction");

        Assert.Contains("appendfsync is 'everysec'", Assert.Single(report.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redis_that_skips_its_fsync_while_saving_a_snapshot_is_named_for_it()
    {
        var report = await ReadAsync("--appendonly yes --appendfsync always --maxmemory-policy noeviction --no-appendfsync-on-rewrite yes");

        Assert.Contains("no-appendfsync-on-rewrite is 'yes'", Assert.Single(report.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redis_that_refuses_config_is_read_through_info_and_its_fsync_reported_unknown()
    {
        var report = await ReadAsync("--appendonly yes --maxmemory-policy allkeys-lru --rename-command CONFIG ''");

        Assert.Equal(2, report.Problems.Count);
        Assert.Contains(report.Problems, problem => problem.Contains("appendfsync cannot be read", StringComparison.Ordinal));
        Assert.Contains(report.Problems, problem => problem.Contains("maxmemory-policy is 'allkeys-lru'", StringComparison.Ordinal));
    }

    // The probe asks for four settings at once; on a Redis that refuses CONFIG all four fail, and any it did not wait
    // for would surface as unobserved task exceptions at every check, every 30 s.
    [Fact]
    public async Task A_redis_that_refuses_config_leaves_no_failed_question_unobserved()
    {
        var unobserved = new List<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> collect = (_, args) =>
        {
            if (args.Exception.InnerExceptions.Any(exception => exception is RedisServerException && exception.Message.Contains("CONFIG", StringComparison.OrdinalIgnoreCase)))
            {
                lock (unobserved)
                {
                    unobserved.Add(args.Exception);
                }
            }
        };
        TaskScheduler.UnobservedTaskException += collect;
        try
        {
            await ReadAsync("--appendonly yes --appendfsync always --maxmemory-policy noeviction --rename-command CONFIG ''");
            for (var round = 0; round < 3; round++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= collect;
        }

        lock (unobserved)
        {
            Assert.Empty(unobserved);
        }
    }
}
