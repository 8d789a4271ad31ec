using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using Xunit.Abstractions;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// Each part of the stack SIGKILLed while signed deliveries keep arriving, with no shutdown of any kind (for
/// PostgreSQL the postmaster and all its backends at once, as a crash of its machine would), then restarted
/// through the orchestrator: every delivery that got a 2xx is stored exactly once and nothing is left in the stream.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class CrashTests(PhonicStackFixture stack, ITestOutputHelper output) : CrashTestsOn(stack, output);

/// <summary>The same crashes with forwarding configured: the storage is unaffected, and every delivery is forwarded too.</summary>
[Collection(ForwardingStackCollection.Name)]
public sealed class ForwardingCrashTests(ForwardingStackFixture stack, ITestOutputHelper output) : CrashTestsOn(stack, output)
{
    // Every delivery that arrives while the worker is down must be forwarded within Forwarding:MaxAge (30 s here) of
    // its arrival, while the same two cores store them all: at the storage tests' pace, a fast machine sent about
    // 2,600 while the worker restarted, and forwards expired into the dead letters before the destination got them;
    // at this pace, about 50 a second, some 550 over an 11 s restart.
    protected override TimeSpan Pace => TimeSpan.FromMilliseconds(80);

    protected override async Task AfterStoredAsync(string[] acknowledged)
    {
        await Eventually.ReturnsAsync(
            () => Task.FromResult(acknowledged.Count(svixId => stack.Destinations.ReceivedBy(ForwardingDestinations.Flaky, svixId).Any(forward => forward.Status == 200))),
            forwarded => forwarded == acknowledged.Length, TimeSpan.FromMinutes(1), "every acknowledged delivery to be forwarded to the flaky destination");
        Assert.All(stack.Destinations.Received.Where(forward => acknowledged.Contains(forward.WebhookId)), forward => Assert.True(forward.SignatureVerified));
    }
}

public abstract class CrashTestsOn(PhonicStackFixture stack, ITestOutputHelper output)
{
    private static readonly TimeSpan TrafficTimeout = TimeSpan.FromSeconds(60);
    private const int DeliveriesAroundTheCrash = 40;

    [Theory]
    [InlineData("redis", true)]
    [InlineData("postgres", false)]
    [InlineData("webhookapi", true)]
    [InlineData("worker", false)]
    public async Task Every_acknowledged_delivery_is_stored_exactly_once_when_a_part_is_SIGKILLed_under_load(string resource, bool deliveriesAreRefusedWhileDown)
    {
        using var client = stack.CreateApiClient();
        var load = new DeliveryLoad(client, senders: 4, pace: Pace, maxDeliveries: 20_000, giveUpAfter: TimeSpan.FromMinutes(2),
            describeApi: () => stack.DescribeWithRecentLogAsync(LocalStack.Api));
        using var stopSending = new CancellationTokenSource();
        var sending = load.RunAsync(stopSending.Token);
        int acknowledgedAtKill, refusedAtKill, acknowledgedAtRestart, refusedAtRestart;
        try
        {
            await load.WaitForAcknowledgedAsync(DeliveriesAroundTheCrash, TrafficTimeout);
            acknowledgedAtKill = load.Acknowledged.Count;
            refusedAtKill = load.Refusals;
            await using (await stack.KillAsync(resource))
            {
                // Deliveries keep arriving while it is down.
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            acknowledgedAtRestart = load.Acknowledged.Count;
            refusedAtRestart = load.Refusals;
            await load.WaitForAcknowledgedAsync(acknowledgedAtRestart + DeliveriesAroundTheCrash, TrafficTimeout);
        }
        finally
        {
            await stopSending.CancelAsync();
            await sending.WaitAsync(TimeSpan.FromMinutes(3));
        }

        var acknowledged = load.Acknowledged.ToArray();
        var stored = await Eventually.ReturnsAsync(() => CountStoredAsync(acknowledged), count => count >= acknowledged.Length,
            TimeSpan.FromMinutes(2), "every acknowledged delivery to be stored");
        output.WriteLine($"{resource} SIGKILLed: sent {load.Started}, attempts {load.Attempts}, acknowledged {acknowledged.Length} " +
            $"({acknowledgedAtKill} before the kill, {acknowledgedAtRestart - acknowledgedAtKill} while down and restarting), " +
            $"refused and retried {load.Refusals} ({refusedAtRestart - refusedAtKill} while down), stored {stored}");

        Assert.Equal(load.Started, acknowledged.Length);
        Assert.Equal(acknowledged.Length, acknowledged.Distinct().Count());
        // At most once is the primary key's (pk_webhook_events, one row per svix id); at least once is this count.
        Assert.Equal(acknowledged.Length, stored);
        await AfterStoredAsync(acknowledged);
        if (deliveriesAreRefusedWhileDown)
        {
            Assert.True(refusedAtRestart > refusedAtKill, $"no delivery was refused while {resource} was down: the outage did not overlap traffic");
        }
        else
        {
            Assert.True(acknowledgedAtRestart > acknowledgedAtKill, $"nothing was acknowledged while {resource} was down: the outage did not overlap traffic");
        }

        // Every stored entry was acknowledged and deleted (a pending entry is still in the stream): the worker left
        // nothing of these deliveries behind.
        var ours = acknowledged.ToHashSet(StringComparer.Ordinal);
        await Eventually.ReturnsAsync(
            async () => (await stack.Redis.StreamRangeAsync(WebhookStream.Name)).Count(entry => ours.Contains((string)entry[WebhookStream.Fields.SvixId]!)),
            left => left == 0, TimeSpan.FromSeconds(60), "no stream entry of these deliveries to be left");
    }

    /// <summary>How long each of the four senders waits between its deliveries.</summary>
    protected virtual TimeSpan Pace => TimeSpan.FromMilliseconds(10);

    /// <summary>What else must hold once every acknowledged delivery is stored.</summary>
    protected virtual Task AfterStoredAsync(string[] acknowledged) => Task.CompletedTask;

    private async Task<long> CountStoredAsync(string[] svixIds)
    {
        try
        {
            await using var connection = await stack.OpenDatabaseAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM webhook_events WHERE svix_id = ANY($1)", connection)
            {
                Parameters = { new() { Value = svixIds } },
            };
            return (long)(await command.ExecuteScalarAsync())!;
        }
        catch (NpgsqlException)
        {
            return 0;
        }
    }
}
