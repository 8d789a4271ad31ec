using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using Xunit.Abstractions;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// Under a steady stream of deliveries, the worker is SIGKILLed and restarted, Redis and PostgreSQL are restarted;
/// afterwards every delivery that got a 2xx is in <c>webhook_events</c> exactly once.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class FaultToleranceTests(PhonicStackFixture stack, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_acknowledged_delivery_is_stored_exactly_once_through_crashes_and_restarts()
    {
        using var client = stack.CreateApiClient();
        var load = new DeliveryLoad(client, senders: 4, pace: TimeSpan.FromMilliseconds(20), maxDeliveries: 20_000, giveUpAfter: TimeSpan.FromMinutes(2));
        using var stopSending = new CancellationTokenSource();
        var sending = load.RunAsync(stopSending.Token);

        async Task KillAndRestartWorkerAsync()
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await stack.KillAsync("worker", "PhonicAspire.Worker");
            output.WriteLine($"SIGKILLed the worker after {load.Acknowledged.Count} acknowledged deliveries");
            await stack.StartAsync("worker");
        }

        await KillAndRestartWorkerAsync();
        await KillAndRestartWorkerAsync();

        await stack.StopAsync("redis");
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stack.StartAsync("redis");
        output.WriteLine($"Restarted Redis at {load.Acknowledged.Count} acknowledged deliveries");

        await stack.StopAsync("postgres");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stack.StartAsync("postgres");
        output.WriteLine($"Restarted PostgreSQL at {load.Acknowledged.Count} acknowledged deliveries");

        await KillAndRestartWorkerAsync();

        await stopSending.CancelAsync();
        await sending.WaitAsync(TimeSpan.FromMinutes(4));
        var acknowledged = load.Acknowledged.ToArray();
        Assert.Equal(load.Started, acknowledged.Length);

        var stored = await Eventually.ReturnsAsync(
            () => CountStoredAsync(acknowledged), count => count >= acknowledged.Length, TimeSpan.FromMinutes(3),
            "every acknowledged delivery to be stored");

        // svix_id is the primary key, so "stored" counts each acknowledged delivery once: none lost, none twice.
        output.WriteLine($"sent {load.Started}, attempts {load.Attempts}, refused and retried {load.Refusals}, " +
            $"acknowledged {acknowledged.Length}, stored {stored}");
        Assert.Equal(acknowledged.Length, stored);
    }

    private async Task<long> CountStoredAsync(string[] svixIds)
    {
        try
        {
            await using var connection = await stack.OpenDatabaseAsync();
            await using var command = new NpgsqlCommand("SELECT count(DISTINCT svix_id) FROM webhook_events WHERE svix_id = ANY($1)", connection)
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
