using System.Net;
using Npgsql;
using PhonicAspire.Cli;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// <c>phonic</c>, the operators' command line, run as a process against the real stack with the services' own
/// configuration keys.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class CommandLineTests(PhonicStackFixture stack)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private async Task<(int ExitCode, string Output, string Error)> PhonicAsync(params string[] arguments) =>
        await RunAsync(await ServicesEnvironmentAsync(), arguments);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        await using var phonic = ServiceProcess.Start("phonic", environment, arguments);
        var exitCode = await phonic.WaitForExitAsync(CommandTimeout);
        return (exitCode, phonic.Output, phonic.Error);
    }

    private async Task<Dictionary<string, string>> ServicesEnvironmentAsync() => new()
    {
        ["ConnectionStrings__redis"] = (await stack.App.GetConnectionStringAsync("redis"))!,
        ["ConnectionStrings__phonicdb"] = (await stack.App.GetConnectionStringAsync("phonicdb"))!,
        ["Phonic__WebhookSecrets"] = PhonicStackFixture.WebhookSecret,
    };

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("dead-letters", "replay")]
    [InlineData("dead-letters", "replay", "--all", "--reason", "x")]
    [InlineData("dead-letters", "replay", "--svix-id", "")]
    [InlineData("dead-letters", "replay", "--reason", "")]
    [InlineData("dead-letters", "replay", "--reason", " ")]
    [InlineData("dead-letters", "show", "")]
    [InlineData("requeue", "--from", "2026-01-02T00:00:00Z", "--to", "2026-01-01T00:00:00Z")]
    [InlineData("requeue", "--from", "x", "--to", "y")]
    [InlineData("requeue", "--from", "2026-13-01T00:00:00Z", "--to", "2026-12-02T00:00:00Z")]
    [InlineData("requeue", "--from", "01/02/2026", "--to", "01/03/2026")]
    [InlineData("requeue", "--from", "0001-01-01T00:00:00+01:00", "--to", "2026-01-01T00:00:00Z")]
    [InlineData("requeue", "--from")]
    [InlineData("requeue", "--svix-id")]
    [InlineData("requeue", "--svix-id", "")]
    [InlineData("requeue", "--svix-id", "msg_1", " ")]
    [InlineData("dead-letters", "replay", "--svix-id")]
    [InlineData("dead-letters", "replay", "--reason")]
    [InlineData("dead-letters", "replay", "--all", "--reason")]
    [InlineData("send", "not-a-url")]
    [InlineData("send", "http://localhost/webhooks/phonic", "--event", "conversation.started")]
    public async Task Bad_arguments_are_one_clear_line_and_exit_code_2(params string[] arguments)
    {
        var (exitCode, output, error) = await PhonicAsync(arguments);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("phonic: ", line, StringComparison.Ordinal);
        Assert.Empty(output.Replace(error, "", StringComparison.Ordinal).Trim());
    }

    [Fact]
    public async Task Ctrl_C_while_a_command_waits_on_redis_is_one_line_and_exit_code_130()
    {
        // Without the worker, whose scripts would wait too, the one script waiting on the paused Redis is phonic's.
        var deadLetter = await DeadLetterAsync("a failure since fixed");
        await using (await stack.KillAsync("worker"))
        {
            await stack.Redis.ExecuteAsync("CLIENT", "PAUSE", "30000", "WRITE");
            try
            {
                await using var phonic = ServiceProcess.Start("phonic", await ServicesEnvironmentAsync(), "dead-letters", "replay", "--svix-id", deadLetter.SvixId);
                await Eventually.ReturnsAsync(ScriptsWaitingAsync, waiting => waiting > 0, CommandTimeout, "phonic's replay to wait on Redis");

                await phonic.InterruptAsync();

                Assert.Equal(130, await phonic.WaitForExitAsync(CommandTimeout));
                var line = Assert.Single(phonic.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.StartsWith("phonic: interrupted", line, StringComparison.Ordinal);
            }
            finally
            {
                await stack.Redis.ExecuteAsync("CLIENT", "UNPAUSE");
                // Replayed by the script Redis still held, or not: either way not left for other tests.
                await DeadLetters.DeleteOfAsync(stack.Redis, WebhookStream.DeadLetterName, deadLetter.SvixId);
            }
        }
    }

    private async Task<int> ScriptsWaitingAsync()
    {
        var clients = (string)(await stack.Redis.ExecuteAsync("CLIENT", "LIST"))!;
        return clients.Split('\n').Count(client => client.Contains(" flags=b ", StringComparison.Ordinal) && client.Contains(" cmd=eval", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Missing_configuration_is_one_line_naming_the_setting_and_exit_code_1()
    {
        var (exitCode, _, error) = await RunAsync(new Dictionary<string, string>(), "dead-letters", "list");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("ConnectionStrings:redis", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("redis", "127.0.0.1:abc", "dead-letters", "list")]
    [InlineData("redis", "127.0.0.1:6379,nosuchkeyword=1", "dead-letters", "list")]
    [InlineData("redis", "127.0.0.1:1,abortConnect=false,connectTimeout=500", "dead-letters", "list")]
    [InlineData("phonicdb", "not a connection string", "requeue", "--svix-id", "msg_1")]
    [InlineData("phonicdb", "Host=127.0.0.1;Port=1;Username=phonic;Database=phonicdb;Timeout=2", "requeue", "--svix-id", "msg_1")]
    public async Task A_connection_string_that_is_malformed_or_reaches_nothing_is_one_line_naming_the_setting_and_exit_code_1(
        string setting, string connectionString, params string[] arguments)
    {
        var environment = await ServicesEnvironmentAsync();
        environment[$"ConnectionStrings__{setting}"] = connectionString;

        var (exitCode, _, error) = await RunAsync(environment, arguments);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"ConnectionStrings:{setting}", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dead_letters_are_listed_and_shown_with_control_characters_escaped_so_a_signed_body_cannot_forge_lines_or_colour_the_terminal()
    {
        // The event type is read from the signed body, so it holds whatever the signer put there.
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        await DeadLetters.AddAsync(stack.Redis, webhook, "conversation.ended\n1-0  2026-01-01T00:00:00Z  msg_forged  \u001b[31mred", "a failure since fixed");
        try
        {
            var (listExit, list, _) = await PhonicAsync("dead-letters", "list", "--svix-id", webhook.SvixId);
            var (showExit, show, _) = await PhonicAsync("dead-letters", "show", webhook.SvixId);

            Assert.Equal((0, 0), (listExit, showExit));
            Assert.Equal(2, list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
            Assert.Contains("conversation.ended\\u000a1-0", list, StringComparison.Ordinal);
            Assert.DoesNotContain('\u001b', list + show);
            Assert.Contains("event type: conversation.ended\\u000a1-0", show, StringComparison.Ordinal);
        }
        finally
        {
            await DeadLetters.DeleteOfAsync(stack.Redis, WebhookStream.DeadLetterName, webhook.SvixId);
        }
    }

    [Fact]
    public async Task A_replay_that_redis_refuses_says_how_many_it_replayed_in_one_line_and_exit_code_1()
    {
        await using (await DeadLetters.OverwriteWithStringAsync(stack.Redis))
        {
            var (exitCode, _, error) = await PhonicAsync("dead-letters", "replay", "--all");

            Assert.Equal(1, exitCode);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("phonic: Replayed 0 dead letter(s), then RedisServerException (WRONGTYPE) from Redis", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_settings_file_that_is_not_json_is_one_line_naming_it_and_exit_code_1()
    {
        var settings = Path.Combine(Path.GetTempPath(), $"phonic-settings-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(settings, "{ \"ConnectionStrings\": ");
        try
        {
            using var output = new StringWriter();
            using var error = new StringWriter();

            var exitCode = await PhonicCommandLine.RunAsync(["dead-letters", "list"], output, error, settings);

            Assert.Equal(1, exitCode);
            var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("phonic: ", line, StringComparison.Ordinal);
            Assert.Contains(settings, line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(settings);
        }
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "404 Not Found")]
    [InlineData(HttpStatusCode.MovedPermanently, "301 Moved Permanently, to http://127.0.0.1/elsewhere")]
    public async Task Send_reports_a_refusal_or_a_redirect_in_one_line_and_exit_code_1(HttpStatusCode status, string reported)
    {
        using var listener = new HttpListener();
        var url = $"http://127.0.0.1:{LoopbackPorts.Free()}/";
        listener.Prefixes.Add(url);
        listener.Start();
        var answering = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            context.Response.StatusCode = (int)status;
            context.Response.RedirectLocation = status == HttpStatusCode.MovedPermanently ? "http://127.0.0.1/elsewhere" : null;
            await context.Response.OutputStream.WriteAsync("<html>\n<body>\n<h1>Not here</h1>\n</body>\n</html>\n"u8.ToArray());
            context.Response.Close();
        });

        var (exitCode, _, error) = await PhonicAsync("send", url);

        Assert.True(exitCode == 1, error);
        await answering.WaitAsync(TimeSpan.FromSeconds(5));
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("phonic: ", line, StringComparison.Ordinal);
        Assert.Contains(reported, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_posts_a_signed_sample_that_the_api_accepts_and_the_worker_stores()
    {
        var url = new Uri(stack.App.GetEndpoint("webhookapi", "http"), SignedWebhook.Route);

        var (exitCode, output, error) = await PhonicAsync("send", url.ToString(), "--event", "conversation.transferred");

        Assert.True(exitCode == 0, error);
        Assert.StartsWith("202 Accepted for conversation.transferred msg_cli_", output, StringComparison.Ordinal);
        var svixId = output.Split(' ')[4];
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, svixId));
    }

    [Fact]
    public async Task Dead_letters_are_listed_shown_and_replayed_by_svix_id_and_by_reason()
    {
        var marker = Guid.NewGuid().ToString("N");
        var first = await DeadLetterAsync($"SQLSTATE 22021 {marker}");
        var second = await DeadLetterAsync($"SQLSTATE 22021 {marker}");
        var third = await DeadLetterAsync($"malformed {marker}");
        try
        {
            var (_, listed, _) = await PhonicAsync("dead-letters", "list", "--reason", marker);
            Assert.Contains("3 dead letter(s)", listed, StringComparison.Ordinal);
            Assert.All(new[] { first, second, third }, webhook => Assert.Contains(webhook.SvixId, listed, StringComparison.Ordinal));
            Assert.DoesNotContain("Acme Dental", listed, StringComparison.Ordinal);

            var (_, shown, _) = await PhonicAsync("dead-letters", "show", first.SvixId);
            Assert.Contains($"reason: SQLSTATE 22021 {marker}", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("Acme Dental", shown, StringComparison.Ordinal);
            var (_, withBody, _) = await PhonicAsync("dead-letters", "show", first.SvixId, "--body");
            Assert.Contains("Acme Dental", withBody, StringComparison.Ordinal);

            var (oneExit, one, oneError) = await PhonicAsync("dead-letters", "replay", "--svix-id", first.SvixId);
            Assert.True(oneExit == 0, oneError);
            Assert.Contains("Replayed 1 dead letter(s)", one, StringComparison.Ordinal);
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, first.SvixId));
            Assert.Equal(0, await StoredEvents.CountAsync(stack, second.SvixId));

            var (_, byReason, _) = await PhonicAsync("dead-letters", "replay", "--reason", $"malformed {marker}");
            Assert.Contains("Replayed 1 dead letter(s)", byReason, StringComparison.Ordinal);
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, third.SvixId));
            Assert.Equal(0, await StoredEvents.CountAsync(stack, second.SvixId));
            Assert.Contains("1 dead letter(s)", (await PhonicAsync("dead-letters", "list", "--reason", marker)).Output, StringComparison.Ordinal);
        }
        finally
        {
            var ours = (await stack.Redis.StreamRangeAsync(WebhookStream.DeadLetterName))
                .Where(entry => ((string?)entry[WebhookStream.Fields.Error])?.Contains(marker, StringComparison.Ordinal) == true)
                .Select(entry => entry.Id).ToArray();
            if (ours.Length > 0)
            {
                await stack.Redis.StreamDeleteAsync(WebhookStream.DeadLetterName, ours);
            }
        }
    }

    private async Task<SignedWebhook> DeadLetterAsync(string reason)
    {
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        await DeadLetters.AddAsync(stack.Redis, webhook, "conversation.ended", reason);
        return webhook;
    }

    [Fact]
    public async Task A_requeue_that_redis_refuses_says_how_many_it_requeued_in_one_line_and_exit_code_1()
    {
        var webhook = await StoredWebhookAsync();
        (int ExitCode, string Output, string Error) requeue = (0, "", "");
        await stack.WhileRedisIsFullAsync(async () => requeue = await PhonicAsync("requeue", "--svix-id", webhook.SvixId));

        AssertRequeueStoppedAfterNone(requeue, "OOM");
    }

    [Fact]
    public async Task A_requeue_that_redis_does_not_answer_in_time_says_how_many_it_requeued_in_one_line_and_exit_code_1()
    {
        var webhook = await StoredWebhookAsync();
        // Until the command has ended, however long it takes to start and reach its append: a pause of a fixed 8 s was
        // over before the append's 5 s timeout on a slow machine (fresh-clone CI run 161), and it went through. The
        // append that timed out goes through once Redis takes writes again.
        await stack.Redis.ExecuteAsync("CLIENT", "PAUSE", "60000", "WRITE");
        try
        {
            AssertRequeueStoppedAfterNone(await PhonicAsync("requeue", "--svix-id", webhook.SvixId), "RedisTimeoutException");
        }
        finally
        {
            await stack.Redis.ExecuteAsync("CLIENT", "UNPAUSE");
        }
    }

    private async Task<SignedWebhook> StoredWebhookAsync()
    {
        using var api = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        using (var response = await api.SendAsync(webhook.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId);
        return webhook;
    }

    private static void AssertRequeueStoppedAfterNone((int ExitCode, string Output, string Error) requeue, string reason)
    {
        Assert.Equal(1, requeue.ExitCode);
        var line = Assert.Single(requeue.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("phonic: Requeued 0 stored event(s), then ", line, StringComparison.Ordinal);
        Assert.Contains(reason, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Requeue_stores_an_event_anew_over_its_row_by_svix_id_or_by_time(bool bySvixId)
    {
        using var api = stack.CreateApiClient();
        var conversationId = SamplePayloads.NewConversationId();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, conversationId);
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        using (var response = await api.SendAsync(webhook.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId);
        var firstStoredAt = await StoredAtAsync(webhook.SvixId);

        // What a bug in an earlier version could have left behind, for the requeue to put right.
        await ExecuteAsync("UPDATE conversations SET agent_name = 'wrong' WHERE id = $1", conversationId);

        var (exitCode, output, error) = bySvixId
            ? await PhonicAsync("requeue", "--svix-id", webhook.SvixId)
            // In an operator's own offset, not UTC: the same instants.
            : await PhonicAsync("requeue", "--from", InOffset(before), "--to", InOffset(DateTimeOffset.UtcNow.AddSeconds(1)));

        Assert.True(exitCode == 0, error);
        Assert.Contains("Requeued", output, StringComparison.Ordinal);
        await Eventually.ReturnsAsync(() => StoredAtAsync(webhook.SvixId), storedAt => storedAt > firstStoredAt, TimeSpan.FromSeconds(60),
            "the requeued event to be stored anew");
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        await Eventually.ReturnsAsync(() => AgentNameAsync(conversationId), name => name == "Dental Booking", TimeSpan.FromSeconds(30),
            "the conversation to be merged again from the requeued event");
    }

    private static string InOffset(DateTimeOffset time) => time.ToOffset(TimeSpan.FromHours(1)).ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_requeue_applies_its_event_again_where_an_older_parse_left_a_later_version_on_the_conversation()
    {
        using var api = stack.CreateApiClient();
        var conversationId = SamplePayloads.NewConversationId();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, conversationId);
        using (var response = await api.SendAsync(webhook.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId);
        var firstStoredAt = await StoredAtAsync(webhook.SvixId);

        // A parser that read the event's time a day late, as a time-zone bug would: the conversation's version is then
        // later than the event's own, which a requeue after the fix parses right.
        await ExecuteAsync(
            "UPDATE conversations SET agent_name = 'wrong', ended_event_created_at = ended_event_created_at + interval '1 day' WHERE id = $1",
            conversationId);

        var (exitCode, _, error) = await PhonicAsync("requeue", "--svix-id", webhook.SvixId);

        Assert.True(exitCode == 0, error);
        await Eventually.ReturnsAsync(() => StoredAtAsync(webhook.SvixId), storedAt => storedAt > firstStoredAt, TimeSpan.FromSeconds(60),
            "the requeued event to be stored anew");
        await Eventually.ReturnsAsync(() => AgentNameAsync(conversationId), name => name == "Dental Booking", TimeSpan.FromSeconds(30),
            "the conversation to be merged again from the requeued event");
        await using var connection = await stack.OpenDatabaseAsync();
        await using var versions = new NpgsqlCommand(
            """
            SELECT conversation.ended_event_created_at = stored.created_at
            FROM conversations AS conversation JOIN webhook_events AS stored ON stored.svix_id = conversation.ended_event_svix_id
            WHERE conversation.id = $1
            """, connection)
        {
            Parameters = { new() { Value = conversationId } },
        };
        Assert.Equal(true, await versions.ExecuteScalarAsync());
    }

    private async Task<DateTimeOffset> StoredAtAsync(string svixId)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("SELECT stored_at FROM webhook_events WHERE svix_id = $1", connection)
        {
            Parameters = { new() { Value = svixId } },
        };
        return await command.ExecuteScalarAsync() is DateTime storedAt ? new DateTimeOffset(storedAt, TimeSpan.Zero) : DateTimeOffset.MinValue;
    }

    private async Task<string?> AgentNameAsync(string conversationId)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("SELECT agent_name FROM conversations WHERE id = $1", connection)
        {
            Parameters = { new() { Value = conversationId } },
        };
        return (string?)await command.ExecuteScalarAsync();
    }

    private async Task ExecuteAsync(string sql, string parameter)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = parameter } } };
        await command.ExecuteNonQueryAsync();
    }
}
