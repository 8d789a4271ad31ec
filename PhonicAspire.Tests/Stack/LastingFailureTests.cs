using System.Net;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// A PostgreSQL that refuses every write for a while (here: read-only, as after a failover) is an outage, not a
/// reason to empty the stream into the dead-letter stream: Svix got its 2xx and will not send those webhooks again.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class LastingFailureTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task Deliveries_wait_out_a_read_only_database_and_are_stored_once_it_accepts_writes_again()
    {
        using var api = stack.CreateApiClient();
        using var worker = stack.CreateWorkerClient();
        var webhooks = Enumerable.Range(0, 3).Select(_ => SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId())).ToArray();

        var pollyRecordsBefore = PollyLogExports();
        await SetReadOnlyAsync(true);
        try
        {
            foreach (var webhook in webhooks)
            {
                using var response = await api.SendAsync(webhook.ToRequest());
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            var (_, health) = await HealthEndpoint.WaitUntilAsync(
                worker, answer => answer.Body.Contains("SQLSTATE 25006", StringComparison.Ordinal), TimeSpan.FromSeconds(30),
                "the worker's /health to name the read-only transaction's SQLSTATE");
            Assert.StartsWith("Unhealthy", health, StringComparison.Ordinal);
            Assert.DoesNotContain("read-only transaction", health, StringComparison.Ordinal);

            await AssertNotDeadLetteredWellPastMaxAttemptsAsync(webhooks);
            foreach (var webhook in webhooks)
            {
                Assert.Equal(0, await StoredEvents.CountAsync(stack, webhook.SvixId));
            }
        }
        finally
        {
            await SetReadOnlyAsync(false);
        }

        foreach (var webhook in webhooks)
        {
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        }

        Assert.Empty(await DeadLettersOfAsync(webhooks));
        await stack.WaitUntilHealthyAsync("worker");

        // The worker logs each retry once, with the error's code alone (PostgreSQL's messages can quote stored
        // values), not through Polly's own log records, which carry the whole exception.
        await stack.WaitUntilWorkerLogsExportedAsync();
        Assert.NotEmpty(stack.Telemetry.ExportsContaining("retrying in"));
        Assert.Equal(pollyRecordsBefore, PollyLogExports());
    }

    // Polly's own records, by their messages: an exception logged elsewhere can name Polly in its stack trace.
    private int PollyLogExports() =>
        new[] { "Resilience event occurred", "Execution attempt" }
            .Sum(stack.Telemetry.LogExportsContaining);

    [Fact]
    public async Task A_lone_delivery_refused_for_a_reason_every_row_meets_is_waited_out_not_dead_lettered()
    {
        // At low traffic each batch is one delivery, with no other to tell its own data from the database's state:
        // here a constraint added by hand that every new row breaks (SQLSTATE 23514, the class of an entry's data).
        using var api = stack.CreateApiClient();
        using var worker = stack.CreateWorkerClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());

        await ExecuteAsync("ALTER TABLE webhook_events ADD CONSTRAINT tests_refuse_every_row CHECK (svix_id IS NULL) NOT VALID");
        try
        {
            using (var response = await api.SendAsync(webhook.ToRequest()))
            {
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            var (health, deadLetters) = await WaitUntilDeadLetteredOrReportedAsync(worker, webhook, "SQLSTATE 23514");
            Assert.Empty(deadLetters);
            Assert.StartsWith("Unhealthy", health, StringComparison.Ordinal);
            await AssertNotDeadLetteredWellPastMaxAttemptsAsync(webhook);
        }
        finally
        {
            await ExecuteAsync("ALTER TABLE webhook_events DROP CONSTRAINT IF EXISTS tests_refuse_every_row");
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        Assert.Empty(await DeadLettersOfAsync([webhook]));
        await stack.WaitUntilHealthyAsync("worker");
    }

    [Fact]
    public async Task A_delivery_refused_as_phonics_sample_of_its_type_is_waited_out_even_beside_a_poison_entry_in_its_batch()
    {
        // The batch fails for the poison entry first (a NUL in its svix id, SQLSTATE 22021), and the analysis event for
        // a constraint that every analysis row breaks (23514), as the analysis sample does: the analysis event waits
        // for the database instead of being dead-lettered with the poison.
        var poison = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId()) with { SvixId = $"msg_{Guid.NewGuid():N}\0" };
        var analysis = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
        await ExecuteAsync("ALTER TABLE webhook_events ADD CONSTRAINT tests_refuse_analysis CHECK (event_type <> 'conversation.analysis') NOT VALID");
        try
        {
            // In one step, so that the worker's next read takes both.
            var both = stack.Redis.CreateTransaction();
            _ = both.StreamAddAsync(WebhookStream.Name, StreamEntryFields.Of(poison, PhonicEventTypes.ConversationEnded));
            _ = both.StreamAddAsync(WebhookStream.Name, StreamEntryFields.Of(analysis, PhonicEventTypes.ConversationAnalysis));
            Assert.True(await both.ExecuteAsync());

            using var worker = stack.CreateWorkerClient();
            await WaitUntilDeadLetteredOrReportedAsync(worker, analysis, "SQLSTATE 23514");
            await AssertNotDeadLetteredWellPastMaxAttemptsAsync(analysis);
        }
        finally
        {
            await ExecuteAsync("ALTER TABLE webhook_events DROP CONSTRAINT IF EXISTS tests_refuse_analysis");
        }

        try
        {
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, analysis.SvixId));
            await Eventually.ReturnsAsync(
                () => DeadLettersOfAsync([poison]), deadLetters => deadLetters.Length > 0, TimeSpan.FromSeconds(30), "the poison entry to be dead-lettered");
            Assert.Empty(await DeadLettersOfAsync([analysis]));
            await stack.WaitUntilHealthyAsync("worker");
        }
        finally
        {
            await DeadLetters.DeleteOfAsync(stack.Redis, WebhookStream.DeadLetterName, poison.SvixId);
        }
    }

    /// <summary>Until the delivery is dead-lettered or the worker's /health names <paramref name="reason"/>; returns both as then.</summary>
    private async Task<(string Health, StackExchange.Redis.StreamEntry[] DeadLetters)> WaitUntilDeadLetteredOrReportedAsync(
        HttpClient worker, SignedWebhook webhook, string reason) =>
        await Eventually.ReturnsAsync(
            async () => (Health: (await HealthEndpoint.ReadAsync(worker)).Body, DeadLetters: await DeadLettersOfAsync([webhook])),
            found => found.DeadLetters.Length > 0 || found.Health.Contains(reason, StringComparison.Ordinal), TimeSpan.FromSeconds(30),
            $"{webhook.SvixId} to be dead-lettered or the worker's /health to name {reason}");

    private async Task AssertNotDeadLetteredWellPastMaxAttemptsAsync(params SignedWebhook[] webhooks)
    {
        // Worker:MaxAttempts is 5 attempts, about 1.5 s, for each entry: 6 s is well past them, and so is the worker
        // having gone on trying, on a machine slow enough to stretch them. Every attempt the database refuses is logged
        // once, with the retry it waits for (OutageResilience), and exported on its own once the retries are seconds
        // apart; counted from here, after the first refusal. Not PostgreSQL's count of rolled-back transactions: a
        // batch whose first exchange the database refuses ends its transaction with that exchange, uncounted.
        var retries = RetriesLogged();
        await Task.Delay(TimeSpan.FromSeconds(6));
        await Eventually.ReturnsAsync(() => Task.FromResult(RetriesLogged()), count => count > retries + PhonicStackFixture.MaxAttempts, TimeSpan.FromSeconds(60),
            $"the worker to try more than {PhonicStackFixture.MaxAttempts} more times");
        Assert.Empty(await DeadLettersOfAsync(webhooks));
    }

    private int RetriesLogged() => stack.Telemetry.LogExportsContaining("the entries stay pending, retrying in");

    [Fact]
    public async Task A_worker_started_on_a_read_only_database_waits_until_it_takes_writes_then_applies_its_migrations()
    {
        // A database of its own, so that the stack's worker, already migrated, is not part of this.
        var database = $"phonic_read_only_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {database}");
        try
        {
            await ExecuteAsync($"ALTER DATABASE {database} SET default_transaction_read_only = on");
            var connectionString = new NpgsqlConnectionStringBuilder(await stack.App.GetConnectionStringAsync("phonicdb")) { Database = database };
            await using var worker = ServiceProcess.Start("PhonicAspire.Worker", new Dictionary<string, string>
            {
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LoopbackPorts.Free()}",
                ["ConnectionStrings__phonicdb"] = connectionString.ConnectionString,
                // Nothing listens there: this worker must not drain the stack's stream.
                ["ConnectionStrings__redis"] = $"127.0.0.1:{LoopbackPorts.Free()}",
                ["Worker__MaxOutageDelay"] = "00:00:01",
            });

            await Eventually.ReturnsAsync(() => Task.FromResult(worker.Output), output => output.Contains("25006", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "the worker to meet the read-only database");
            // A failover's standby takes writes once promoted: not a reason to stop.
            await ExecuteAsync($"ALTER DATABASE {database} RESET default_transaction_read_only");
            // The setting applies to new sessions: the worker's pooled ones end, as a failover ends them.
            await ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}'");
            await Eventually.ReturnsAsync(() => Task.FromResult(worker.Output), output => output.Contains("Database schema is up to date", StringComparison.Ordinal),
                TimeSpan.FromSeconds(60), "the worker to apply its migrations once the database takes writes");
            Assert.DoesNotContain("migrations failed", worker.Output, StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync($"DROP DATABASE {database} WITH (FORCE)");
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Makes new transactions in phonicdb read-only (or not) and ends every other session, so the worker's next ones see it.</summary>
    private async Task SetReadOnlyAsync(bool readOnly)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        // This session may itself have started read-only.
        await using (var writable = new NpgsqlCommand("SET default_transaction_read_only = off", connection))
        {
            await writable.ExecuteNonQueryAsync();
        }

        await using (var alter = new NpgsqlCommand(
            readOnly ? "ALTER DATABASE phonicdb SET default_transaction_read_only = on" : "ALTER DATABASE phonicdb RESET default_transaction_read_only",
            connection))
        {
            await alter.ExecuteNonQueryAsync();
        }

        await using var terminate = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'phonicdb' AND pid <> pg_backend_pid()", connection);
        await terminate.ExecuteScalarAsync();
        NpgsqlConnection.ClearAllPools();
    }

    private Task<StackExchange.Redis.StreamEntry[]> DeadLettersOfAsync(SignedWebhook[] webhooks) =>
        DeadLetters.OfAsync(stack.Redis, WebhookStream.DeadLetterName, [.. webhooks.Select(webhook => webhook.SvixId)]);
}
