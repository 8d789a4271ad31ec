using Microsoft.Extensions.Logging.Abstractions;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Forwarding;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Worker;

/// <summary>
/// Which forwarding groups a worker removes, on a real Redis (a stream of its own, beside the stack's). An entry
/// appended with the id 1-1 was appended, by Redis's clock, more than <see cref="StaleForwardingGroups.StaleAfter"/>
/// ago; a consumer's idle time cannot be aged in a test, so the groups that must go have none.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class StaleForwardingGroupsTests(PhonicStackFixture stack) : IAsyncLifetime
{
    private const string Configured = "crm";
    private readonly string _stream = $"tests:forwarding-groups:{Guid.NewGuid():N}";

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => stack.Redis.KeyDeleteAsync(_stream);

    [Fact]
    public async Task An_unconfigured_group_long_behind_with_no_consumer_reading_is_removed()
    {
        await AppendLongAgoAndNowAsync();
        await stack.Redis.StreamCreateConsumerGroupAsync(_stream, Group("removed"), StreamPosition.Beginning);

        Assert.DoesNotContain(Group("removed"), await GroupsLeftByRemovingStaleAsync());
    }

    [Fact]
    public async Task An_unconfigured_group_that_has_read_everything_is_kept_however_quiet_the_stream()
    {
        // Its readers' idle time grows on a quiet stream though they still poll: a poll that finds nothing new never
        // reaches XREADGROUP, and Redis 7.0 counts idle from the last read that returned entries.
        await AppendLongAgoAndNowAsync();
        await stack.Redis.StreamCreateConsumerGroupAsync(_stream, Group("quiet"), StreamPosition.NewMessages);

        Assert.Contains(Group("quiet"), await GroupsLeftByRemovingStaleAsync());
    }

    [Fact]
    public async Task A_group_just_created_by_a_worker_configured_with_it_is_kept_by_one_that_is_not()
    {
        // A rolling deploy that adds a destination: the new replica creates its group from the stream's start, and
        // the replicas still on the old configuration must not remove it before its first read.
        await AppendLongAgoAndNowAsync();
        var subscription = new DrainSubscription("new destination", Group("new"), $"{_stream}:dead", new NoDeliveryHandler(), Stream: _stream);
        await new ConsumerGroupStream(stack.Redis.Multiplexer, subscription).EnsureConsumerGroupAsync("new-replica");

        Assert.Contains(Group("new"), await GroupsLeftByRemovingStaleAsync());
    }

    [Fact]
    public async Task An_unconfigured_group_long_behind_whose_consumer_has_just_read_is_kept()
    {
        // A replica still configured with the destination, catching up.
        await stack.Redis.StreamAddAsync(_stream, WebhookStream.Fields.Body, "long ago", messageId: "1-1");
        await AppendLongAgoAndNowAsync(messageId: "1-2");
        await stack.Redis.StreamCreateConsumerGroupAsync(_stream, Group("catching-up"), StreamPosition.Beginning);
        Assert.Single(await stack.Redis.StreamReadGroupAsync(_stream, Group("catching-up"), "replica", StreamPosition.NewMessages, count: 1));

        Assert.Contains(Group("catching-up"), await GroupsLeftByRemovingStaleAsync());
    }

    [Fact]
    public async Task A_configured_group_is_kept_however_far_behind()
    {
        await AppendLongAgoAndNowAsync();
        await stack.Redis.StreamCreateConsumerGroupAsync(_stream, Group(Configured), StreamPosition.Beginning);

        Assert.Contains(Group(Configured), await GroupsLeftByRemovingStaleAsync());
    }

    [Fact]
    public async Task Before_the_stream_exists_the_search_for_stale_groups_finds_none_and_creates_nothing()
    {
        var removed = await new StaleConsumerGroups(stack.Redis.Multiplexer).RemoveAsync(
            _stream, WebhookStream.ForwardingGroupPrefix, [], StaleForwardingGroups.StaleAfter, CancellationToken.None);

        Assert.Empty(removed);
        Assert.False(await stack.Redis.KeyExistsAsync(_stream));
    }

    private static string Group(string destination) => WebhookStream.ForwardingGroupPrefix + destination;

    private async Task AppendLongAgoAndNowAsync(string messageId = "1-1")
    {
        await stack.Redis.StreamAddAsync(_stream, WebhookStream.Fields.Body, "long ago", messageId: messageId);
        await stack.Redis.StreamAddAsync(_stream, WebhookStream.Fields.Body, "now");
    }

    private async Task<string[]> GroupsLeftByRemovingStaleAsync()
    {
        await StaleForwardingGroups.RemoveStaleAsync(new StaleConsumerGroups(stack.Redis.Multiplexer), _stream, [Configured], NullLogger.Instance, CancellationToken.None);
        return [.. (await stack.Redis.StreamGroupInfoAsync(_stream)).Select(group => group.Name)];
    }
}
