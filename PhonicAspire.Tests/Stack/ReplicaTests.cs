using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using Xunit.Abstractions;

namespace PhonicAspire.Tests.Stack;

/// <summary>Two API and three worker replicas under a steady stream of deliveries, one of each SIGKILLed mid-stream.</summary>
[Collection(ReplicaStackCollection.Name)]
public sealed class ReplicaTests(ReplicaStackFixture stack, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_acknowledged_delivery_is_stored_once_and_a_killed_workers_entries_are_reclaimed_by_the_others()
    {
        var apis = await stack.RunningInstancesAsync("webhookapi", 2);
        var workers = await stack.RunningInstancesAsync("worker", 3);
        // Back to two and three, as the test found them, whatever it found: the collection's next test runs on them.
        var killed = false;
        try
        {
            using var client = stack.CreateApiClient();
            var load = new DeliveryLoad(client, senders: 4, pace: TimeSpan.FromMilliseconds(10), maxDeliveries: 20_000, giveUpAfter: TimeSpan.FromMinutes(2),
                describeApi: () => stack.DescribeWithRecentLogAsync(LocalStack.Api));
            using var stopSending = new CancellationTokenSource();
            var sending = load.RunAsync(stopSending.Token);
            string killedConsumer;
            long pendingAtKill;
            try
            {
                await load.WaitForAcknowledgedAsync(50, Timeout);

                // Storing is held up for a moment, so every worker holds entries it has read and not acknowledged.
                await using (var holder = await stack.OpenDatabaseAsync())
                await using (var holding = await holder.BeginTransactionAsync())
                {
                    await using (var lockTable = new NpgsqlCommand("LOCK TABLE webhook_events IN ACCESS EXCLUSIVE MODE", holder))
                    {
                        await lockTable.ExecuteNonQueryAsync();
                    }

                    var victim = ResourceProcesses.DescendantsAndSelf(workers[0].ProcessId);
                    var consumer = await Eventually.ReturnsAsync(
                        async () => (await stack.Redis.StreamConsumerInfoAsync(WebhookStream.Name, WebhookStream.ConsumerGroup))
                            .FirstOrDefault(info => victim.Any(pid => info.Name.ToString().Contains($"-{pid}-", StringComparison.Ordinal))),
                        info => info.PendingMessageCount > 0, Timeout, "the worker to be killed to hold entries");
                    killedConsumer = consumer.Name!;
                    pendingAtKill = consumer.PendingMessageCount;

                    killed = true;
                    ResourceProcesses.KillTree(workers[0].ProcessId);
                    ResourceProcesses.KillTree(apis[0].ProcessId);
                    output.WriteLine($"SIGKILLed a worker holding {pendingAtKill} entries and an API replica at {load.Acknowledged.Count} acknowledged deliveries");
                    await holding.RollbackAsync();
                }

                var acknowledgedAtKill = load.Acknowledged.Count;
                await load.WaitForAcknowledgedAsync(acknowledgedAtKill + 100, Timeout);
            }
            finally
            {
                await stopSending.CancelAsync();
                await sending.WaitAsync(TimeSpan.FromMinutes(3));
            }

            var acknowledged = load.Acknowledged.ToArray();
            var stored = await Eventually.ReturnsAsync(() => StoredEvents.CountAsync(stack, acknowledged), count => count >= acknowledged.Length,
                TimeSpan.FromMinutes(2), "every acknowledged delivery to be stored");
            output.WriteLine($"sent {load.Started}, attempts {load.Attempts}, refused and retried {load.Refusals}, acknowledged {acknowledged.Length}, stored {stored}");

            Assert.Equal(load.Started, acknowledged.Length);
            Assert.Equal(acknowledged.Length, stored);
            // A consumer holding entries never leaves the group, so its leaving also shows that the others claimed them.
            await Eventually.ReturnsAsync(
                async () => string.Join(", ", (await stack.Redis.StreamConsumerInfoAsync(WebhookStream.Name, WebhookStream.ConsumerGroup)).Select(info => info.Name)),
                consumers => !consumers.Contains(killedConsumer, StringComparison.Ordinal), Timeout, "the killed worker's entries to be claimed by the others and its consumer to leave the group");
            // Claimed entries leave the killed consumer's pending list when they are claimed, and the stream only when the
            // claimer's acknowledgement trims it, a moment after its commit: waited for, with a bound.
            var ours = acknowledged.ToHashSet(StringComparer.Ordinal);
            await Eventually.ReturnsAsync(
                async () => (await stack.Redis.StreamRangeAsync(WebhookStream.Name)).Count(entry => ours.Contains((string)entry[WebhookStream.Fields.SvixId]!)),
                left => left == 0, Timeout, "every acknowledged delivery's entry to leave the stream");
        }
        finally
        {
            if (killed)
            {
                await stack.ExecuteCommandAsync(workers[0].Id, KnownResourceCommands.StartCommand);
                await stack.ExecuteCommandAsync(apis[0].Id, KnownResourceCommands.StartCommand);
                await stack.RunningInstancesAsync("worker", 3);
                await stack.RunningInstancesAsync("webhookapi", 2);
            }
        }
    }

    [Fact]
    public async Task The_dashboard_buttons_still_work_with_replicas()
    {
        var before = await StoredEvents.CountTestWebhooksAsync(stack);

        // Commands go to one replica, as a click in the dashboard does.
        var api = (await stack.RunningInstancesAsync("webhookapi", 1))[0];
        var worker = (await stack.RunningInstancesAsync("worker", 1))[0];
        await stack.ExecuteCommandAsync(api.Id, "send-test-webhook");
        await stack.ExecuteCommandAsync(worker.Id, "stream-status");

        await Eventually.ReturnsAsync(() => StoredEvents.CountTestWebhooksAsync(stack), count => count > before, Timeout, "the test webhook to be stored");
    }
}
