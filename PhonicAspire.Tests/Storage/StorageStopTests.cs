using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Storing;
using StackExchange.Redis;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// The storage handler gives up at the end of a stop's grace wherever PostgreSQL keeps it waiting, so that a worker
/// stops within its container's grace and leaves its entries pending for the next one.
/// </summary>
public sealed class StorageStopTests(PhonicStackFixture stack) : StorageTests(stack)
{
    // Far beyond any stop's grace: a handler still waiting when the test checks has ignored its token.
    private const int HeldSeconds = 30;

    [Fact]
    public async Task A_batch_refused_for_its_data_gives_up_checking_phonics_sample_when_its_token_is_cancelled()
    {
        // The batch fails for its data (SQLSTATE 22023, raised for its svix id alone), so the handler stores Phonic's
        // own sample and rolls it back to tell the entry's failure from the database's; that check is held on
        // PostgreSQL, for this test's connections alone (their application name), as a lock someone holds would hold it.
        var marker = $"hold_{Guid.NewGuid():N}";
        var poison = Delivery(Sample(Ended, NewConversationId()));
        await using var admin = await Stack.OpenDatabaseAsync();
        await ExecuteAsync(admin, $"""
            CREATE FUNCTION {marker}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.svix_id = '{poison.SvixId}' THEN
                    RAISE EXCEPTION 'refused for its data' USING ERRCODE = '22023';
                END IF;
                IF NEW.svix_id LIKE 'sample\_%' AND current_setting('application_name') = '{marker}' THEN
                    PERFORM pg_sleep({HeldSeconds});
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {marker} BEFORE INSERT ON webhook_events FOR EACH ROW EXECUTE FUNCTION {marker}();
            """);
        try
        {
            await using var services = await HandlerServices.StartAsync(Stack, marker);
            var handler = services.GetRequiredService<PostgresDeliveryHandler>();
            var outcomes = new DeliveryOutcomes(
                [(poison, new StreamEntry("1-0", []))], (_, _) => Task.CompletedTask, (_, _, _) => Task.CompletedTask, _ => { });
            using var stop = new CancellationTokenSource();
            var handling = handler.HandleAsync([poison], outcomes, stop.Token);

            // Cancelled once the check of the sample is what waits, not the batch before it.
            await Eventually.ReturnsAsync(
                () => ScalarAsync(admin, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{marker}' AND wait_event = 'PgSleep'"),
                held => held > 0, TimeSpan.FromSeconds(HeldSeconds / 2), "the check of Phonic's sample to be held");
            var stopping = Stopwatch.StartNew();
            await stop.CancelAsync();
            // Bounded by the test, not by the code under test: a handler that ignored its token fails with a TimeoutException.
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => handling.WaitAsync(TimeSpan.FromSeconds(HeldSeconds / 3)));

            Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(HeldSeconds / 3), $"the handler gave up {stopping.Elapsed.TotalSeconds:0.0} s after its token was cancelled");
            // Neither stored nor rejected: its entry stays pending for the next worker.
            Assert.Contains(poison, outcomes.Unreported);
        }
        finally
        {
            // A cancelled statement's session can sleep on, holding its lock on webhook_events, which the stack's worker
            // would then queue behind while the trigger is dropped.
            await ExecuteAsync(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '{marker}'");
            await ExecuteAsync(admin, $"DROP TRIGGER {marker} ON webhook_events; DROP FUNCTION {marker}();");
        }
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
