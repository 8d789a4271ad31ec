using PhonicAspire.WebhookApi.Queueing.Durability;

namespace PhonicAspire.UnitTests.WebhookApi;

public sealed class RedisDurabilityReportTests
{
    [Fact]
    public void Aof_with_fsync_on_every_write_and_no_eviction_is_durable()
    {
        var report = RedisDurabilityReport.Evaluate("yes", "always", "no", "noeviction");

        Assert.True(report.IsDurable);
        Assert.Empty(report.Problems);
    }

    [Theory]
    [InlineData("no", "always", "no", "noeviction", "appendonly is 'no'")]
    [InlineData("yes", "everysec", "no", "noeviction", "appendfsync is 'everysec'")]
    [InlineData("yes", "no", "no", "noeviction", "appendfsync is 'no'")]
    [InlineData("yes", null, null, "noeviction", "appendfsync cannot be read")]
    [InlineData("yes", "always", "yes", "noeviction", "no-appendfsync-on-rewrite is 'yes'")]
    [InlineData("yes", "always", null, "noeviction", "no-appendfsync-on-rewrite is 'unknown'")]
    [InlineData("yes", "always", "no", "allkeys-lru", "maxmemory-policy is 'allkeys-lru'")]
    [InlineData("yes", "always", "no", "volatile-ttl", "maxmemory-policy is 'volatile-ttl'")]
    public void Each_setting_that_can_lose_a_webhook_is_named_with_what_it_costs(
        string? appendOnly, string? appendFsync, string? noFsyncOnRewrite, string? policy, string named)
    {
        var report = RedisDurabilityReport.Evaluate(appendOnly, appendFsync, noFsyncOnRewrite, policy);

        Assert.False(report.IsDurable);
        var problem = Assert.Single(report.Problems);
        Assert.Contains(named, problem, StringComparison.Ordinal);
        Assert.Contains(named, report.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Not_yet_read_is_not_durable() => Assert.False(RedisDurabilityReport.NotChecked.IsDurable);
}
