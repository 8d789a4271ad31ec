using System.Diagnostics;
using System.Net;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace PhonicAspire.Tests.Stack;

[Collection(StackCollection.Name)]
public sealed class GracefulShutdownTests(PhonicStackFixture stack, ITestOutputHelper output)
{
    // A container runtime kills what has not exited within its grace (ten seconds by default).
    private static readonly TimeSpan ContainerStopGrace = TimeSpan.FromSeconds(10);

    // Past the grace, for a failure that names how long the worker took rather than a hang.
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Worker_stops_promptly_from_the_dashboard_and_stores_what_arrived_while_it_was_stopped()
    {
        using var client = stack.CreateApiClient();

        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        ResourceOutage? worker = null;
        try
        {
            worker = await StopWorkerWithinContainerGraceAsync("idle");
            using var response = await client.SendAsync(webhook.ToRequest());
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
        finally
        {
            await (worker?.EndAsync() ?? RunWorkerAgainAsync());
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    [Fact]
    public async Task While_redis_is_down_the_services_answer_health_probes_promptly_and_the_worker_stops_promptly()
    {
        // The Redis calls in flight while Redis is down must not hold the stop, nor a health probe that waits out the
        // Redis client's timeout (five seconds) before it can answer.
        var redis = await stack.StopAsync("redis");
        ResourceOutage? worker = null;
        try
        {
            // Long enough for the worker's loop to be waiting on Redis, as it would be during an outage.
            await Task.Delay(PhonicStackFixture.ClaimIdleTime);
            using var apiClient = stack.CreateApiClient();
            using var workerClient = stack.CreateWorkerClient();
            foreach (var (service, client) in new[] { ("webhookapi", apiClient), ("worker", workerClient) })
            {
                var probing = Stopwatch.StartNew();
                var health = await HealthEndpoint.ReadAsync(client);
                probing.Stop();
                output.WriteLine($"{service}'s /health answered {(int)health.Status} in {probing.Elapsed.TotalSeconds:0.00} s: {health.Body}");
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.Status);
                Assert.True(probing.Elapsed < TimeSpan.FromSeconds(4), $"{service}'s /health took {probing.Elapsed.TotalSeconds:0.0} s to answer");
            }

            worker = await StopWorkerWithinContainerGraceAsync("while Redis is down");
        }
        finally
        {
            try
            {
                await redis.EndAsync();
            }
            finally
            {
                // The tests after this one need the worker running, whether its stop worked or not.
                await (worker?.EndAsync() ?? RunWorkerAgainAsync());
            }
        }
    }

    [Fact]
    public async Task Worker_stops_within_its_grace_while_a_batch_waits_on_postgresql_and_stores_the_batch_once_started_again()
    {
        // A lock held by someone else (a migration, an operator's transaction) keeps a batch's transaction waiting
        // for as long as it is held; the stop gives the batch its grace, not the lock's holder's time.
        using var client = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        ResourceOutage? worker = null;
        await using var holder = await stack.OpenDatabaseAsync();
        await using var holding = await holder.BeginTransactionAsync();
        try
        {
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE webhook_events IN ACCESS EXCLUSIVE MODE", holder))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            using (var response = await client.SendAsync(webhook.ToRequest()))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            // This delivery's own entry: another test's left pending would not be waiting on the lock.
            var entryId = await stack.Redis.StringGetAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId);
            Assert.False(entryId.IsNull, "the API recorded no stream entry for the delivery it accepted");
            await Eventually.ReturnsAsync(
                async () => (await stack.Redis.StreamPendingMessagesAsync(WebhookStream.Name, WebhookStream.ConsumerGroup, 1, RedisValue.Null, entryId, entryId)).Length,
                pending => pending > 0, TimeSpan.FromSeconds(30), "the worker to hold the delivery in a batch");

            worker = await StopWorkerWithinContainerGraceAsync("with a batch waiting on a lock");
        }
        finally
        {
            await holding.RollbackAsync();
            await (worker?.EndAsync() ?? RunWorkerAgainAsync());
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    /// <summary>
    /// Stops the worker and holds its exit to the container grace; a caller that gets no outage back (the stop failed,
    /// or took too long) must still run the worker again.
    /// </summary>
    private async Task<ResourceOutage> StopWorkerWithinContainerGraceAsync(string situation)
    {
        // Timed to the worker's exit, as a container runtime times its grace: the orchestrator notices an exit by
        // polling with a back-off of about 3 s at most, so it reports the stop up to about 3 s later (seen: the worker
        // gone 5.2 s after the stop, the stop reported at 6.6 s).
        using var worker = Process.GetProcessById(ResourceProcesses.ServiceOf(stack.App, "worker", "PhonicAspire.Worker"));
        var stopping = Stopwatch.StartNew();
        var stop = stack.StopAsync("worker");
        using var exitTimeout = new CancellationTokenSource(ExitTimeout);
        var exit = worker.WaitForExitAsync(exitTimeout.Token);
        if (await Task.WhenAny(stop, exit) == stop)
        {
            // A stop the orchestrator gives up on fails here rather than wait out the exit's timeout.
            await stop;
        }

        try
        {
            await exit;
        }
        catch (OperationCanceledException)
        {
            // Killed, so that the worker the test runs again is the only one reading the stream.
            worker.Kill(entireProcessTree: true);
            await ((Task)stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw new TimeoutException($"the worker stopped {situation} had not exited after {ExitTimeout.TotalSeconds:0} s");
        }

        var exitedAfter = stopping.Elapsed;
        var outage = await stop;
        output.WriteLine($"the worker stopped {situation} exited after {exitedAfter.TotalSeconds:0.0} s, reported stopped after {stopping.Elapsed.TotalSeconds:0.0} s");
        Assert.True(exitedAfter < ContainerStopGrace, $"the worker stopped {situation} exited after {exitedAfter.TotalSeconds:0.0} s");
        return outage;
    }

    private async Task RunWorkerAgainAsync()
    {
        try
        {
            await stack.StartAsync("worker");
        }
        catch (InvalidOperationException)
        {
            // Not stopped: the orchestrator gave up on a stop the worker had not finished, and it is still running.
            await stack.WaitUntilHealthyAsync("worker");
        }
    }
}
