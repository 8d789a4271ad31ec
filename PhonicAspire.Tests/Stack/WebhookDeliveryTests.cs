using System.Diagnostics;
using System.Net;
using System.Text.Json;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Tests.Stack;

[Collection(StackCollection.Name)]
public sealed class WebhookDeliveryTests(PhonicStackFixture stack)
{
    private const long MaxWorkerNativeHeapKilobytes = 8 * 1024;

    [Fact]
    public async Task Signed_delivery_becomes_one_stream_entry_then_one_stored_row()
    {
        using var client = stack.CreateApiClient();
        var conversationId = SamplePayloads.NewConversationId();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, conversationId);

        // With the worker down, the entry stays in the stream where it can be inspected.
        await using (await stack.KillAsync("worker"))
        {
            using var accepted = await client.SendAsync(webhook.ToRequest());
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);

            using var retried = await client.SendAsync(SignedWebhook.Create(webhook.Body, webhook.SvixId).ToRequest());
            Assert.Equal(HttpStatusCode.OK, retried.StatusCode);

            var entries = (await stack.Redis.StreamRangeAsync(WebhookStream.Name))
                .Where(entry => entry[WebhookStream.Fields.SvixId] == webhook.SvixId)
                .ToArray();
            var entry = Assert.Single(entries);
            Assert.Equal(webhook.Body, (byte[]?)entry[WebhookStream.Fields.Body]);
            Assert.Equal("conversation.ended", (string?)entry[WebhookStream.Fields.EventType]);
            Assert.Equal(conversationId, (string?)entry[WebhookStream.Fields.ConversationId]);
            Assert.True(ActivityContext.TryParse(entry[WebhookStream.Fields.TraceParent], null, out var trace), "no W3C traceparent in the entry");
            Assert.NotEqual(default, trace.TraceId);
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    [Fact]
    public async Task The_worker_stores_deliveries_without_loading_ef_core()
    {
        var worker = await WorkerThatStoredADeliveryAsync();

        // The EF model designs the schema; the worker applies and writes it through Npgsql alone (SchemaScript).
        var mapped = await File.ReadAllTextAsync($"/proc/{worker}/maps");
        Assert.Contains("/Npgsql.dll", mapped);
        Assert.DoesNotContain("Microsoft.EntityFrameworkCore", mapped);
    }

    [Fact]
    public async Task The_worker_that_stored_a_delivery_keeps_its_native_heap_under_8_MB()
    {
        var worker = await WorkerThatStoredADeliveryAsync();

        // The JIT's working memory while the worker starts and compiles its paths, about 15 MB, left glibc's heap at
        // 17 MB resident with 3.5 MB of it live, until large blocks got mappings of their own (NativeHeap): 3 MB since.
        var heapKilobytes = ProcFs.MappingResidentKilobytes(worker, "[heap]");
        Assert.True(heapKilobytes is > 0 and < MaxWorkerNativeHeapKilobytes, $"the worker's native heap holds {heapKilobytes} kB");
    }

    [Fact]
    public void The_running_worker_was_started_with_the_frameworks_precompiled_code_off()
    {
        var worker = ResourceProcesses.ServiceOf(stack.App, "worker", "PhonicAspire.Worker");

        // The runtime reads this switch from the environment alone, so only the process's own environment shows that
        // the worker got it (PrecompiledFrameworkCode in the AppHost).
        Assert.Equal("0", ProcFs.EnvironmentVariable(worker, "DOTNET_ReadyToRun"));
    }

    [Theory]
    // 2 MiB as Directory.Build.props sets it (docs/benchmarks.md, Memory, the gen0 budget); the API's own project raises its cap to 8 MiB.
    [InlineData("webhookapi", "PhonicAspire.WebhookApi", 8 * 1024 * 1024)]
    [InlineData("worker", "PhonicAspire.Worker", 2 * 1024 * 1024)]
    public void The_running_services_cap_their_gen0_budget_in_the_runtime_configuration_beside_their_entry_point(string resource, string assemblyName, long cappedGen0BudgetBytes)
    {
        // PhonicAspire.UnitTests shows that the runtime takes this key.
        var (service, path, properties) = RuntimeConfiguration(resource, assemblyName);

        Assert.True(properties.TryGetProperty("System.GC.Gen0MaxBudget", out var budget), $"{path} sets no gen0 budget cap");
        Assert.Equal(cappedGen0BudgetBytes, budget.GetInt64());
        Assert.Null(ProcFs.EnvironmentVariable(service, "DOTNET_GCGen0MaxBudget"));
    }

    [Theory]
    // Both wait on Redis or PostgreSQL between bursts of work, on cores they share with them (the projects say what spinning cost).
    [InlineData("webhookapi", "PhonicAspire.WebhookApi")]
    [InlineData("worker", "PhonicAspire.Worker")]
    public void The_running_services_idle_thread_pool_threads_block_without_spinning_first(string resource, string assemblyName)
    {
        var (service, path, properties) = RuntimeConfiguration(resource, assemblyName);

        Assert.True(properties.TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out var spinLimit), $"{path} leaves the thread pool's spinning at its default");
        Assert.Equal(0, spinLimit.GetInt32());
        Assert.Null(ProcFs.EnvironmentVariable(service, "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"));
        Assert.Null(ProcFs.EnvironmentVariable(service, "COMPlus_ThreadPool_UnfairSemaphoreSpinLimit"));
    }

    [Fact]
    public async Task Copies_of_one_delivery_sent_at_once_are_queued_once_among_other_deliveries_appended_with_them()
    {
        using var client = stack.CreateApiClient();
        var repeated = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        var others = Enumerable.Range(0, 20).Select(_ => SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId())).ToArray();

        // Sent together, so that appends share batches and copies meet in the same one.
        await using (await stack.KillAsync("worker"))
        {
            var sending = Enumerable.Range(0, 20).Select(_ => SignedWebhook.Create(repeated.Body, repeated.SvixId))
                .Concat(others)
                .Select(async webhook =>
                {
                    using var response = await client.SendAsync(webhook.ToRequest());
                    return (Webhook: webhook, response.StatusCode);
                })
                .ToArray();
            var answers = await Task.WhenAll(sending);

            // A 503 (Redis slower than the queue timeout on a busy machine) is retried, as Svix would; whatever the
            // answers, each svix id must be in the stream once.
            Assert.All(answers, answer => Assert.Contains(answer.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable }));
            Assert.True(
                answers.Count(answer => answer.Webhook.SvixId == repeated.SvixId && answer.StatusCode == HttpStatusCode.Accepted) <= 1,
                "more than one copy was answered as newly queued");
            Assert.All(answers.Where(answer => answer.Webhook.SvixId != repeated.SvixId), answer => Assert.NotEqual(HttpStatusCode.OK, answer.StatusCode));
            foreach (var (webhook, _) in answers.Where(answer => answer.StatusCode == HttpStatusCode.ServiceUnavailable))
            {
                await RetryUntilAcknowledgedAsync(client, webhook);
            }

            var entries = await stack.Redis.StreamRangeAsync(WebhookStream.Name);
            Assert.Single(entries, entry => entry[WebhookStream.Fields.SvixId] == repeated.SvixId);
            Assert.All(others, webhook => Assert.Single(entries, entry => entry[WebhookStream.Fields.SvixId] == webhook.SvixId));
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, repeated.SvixId));
        foreach (var webhook in others)
        {
            Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        }
    }

    [Fact]
    public async Task Tampered_delivery_gets_401_and_queues_nothing()
    {
        using var client = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());
        var tampered = webhook with { Body = [.. webhook.Body[..^2], (byte)' ', (byte)'}'] };

        using var response = await client.SendAsync(tampered.ToRequest());

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "invalid-signature");
        Assert.False(await stack.Redis.KeyExistsAsync(WebhookStream.AcceptedKeyPrefix + webhook.SvixId));
        Assert.Equal(0, await StoredEvents.CountAsync(stack, webhook.SvixId));
    }

    [Fact]
    public async Task Body_over_the_limit_gets_413()
    {
        using var client = stack.CreateApiClient();
        var body = new byte[3 * 1024 * 1024];
        body.AsSpan().Fill((byte)' ');
        body[0] = (byte)'{';
        body[^1] = (byte)'}';

        using var response = await client.SendAsync(SignedWebhook.Create(body).ToRequest());

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "body-too-large");
    }

    [Fact]
    public async Task Redis_down_gets_prompt_503_and_recovers_without_restarts()
    {
        using var client = stack.CreateApiClient();
        await using (await stack.StopAsync("redis"))
        {
            for (var i = 0; i < 3; i++)
            {
                var started = Stopwatch.StartNew();
                using var response = await client.SendAsync(SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId()).ToRequest());
                started.Stop();

                await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "queue-unavailable");
                Assert.True(response.Headers.RetryAfter is not null, "503 without Retry-After");
                Assert.True(started.Elapsed < PhonicStackFixture.PromptRefusal, $"503 took {started.Elapsed.TotalMilliseconds:0} ms");
            }
        }

        var webhook = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
        await RetryUntilAcknowledgedAsync(client, webhook);
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    [Fact]
    public async Task An_api_started_while_redis_is_down_answers_queue_unavailable_and_acknowledges_soon_after_redis_is_back()
    {
        var redis = await stack.App.GetConnectionStringAsync("redis");
        var url = $"http://127.0.0.1:{LoopbackPorts.Free()}";
        var webhook = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
        await using var outage = await stack.StopAsync("redis");
        // Alone, beside the stack: the orchestrator would start the stack's own API only once Redis is healthy.
        await using var api = ServiceProcess.Start("PhonicAspire.WebhookApi", new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_URLS"] = url,
            ["ConnectionStrings__redis"] = redis!,
            ["Phonic__WebhookSecrets"] = PhonicStackFixture.WebhookSecret,
        });
        using var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(10) };

        // Redis has never answered this API: it is unreachable, which says nothing of its settings.
        using var refused = await Eventually.ReturnsAsync(() => SendOrNothingAsync(client, webhook), response => response is not null, TimeSpan.FromSeconds(60), "the API to listen");
        await ProblemAssert.IsProblemAsync(refused!, HttpStatusCode.ServiceUnavailable, "queue-unavailable");

        // Well within the 30 s between readings of a Redis already read once.
        await outage.EndAsync();
        await Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await SendOrNothingAsync(client, webhook);
                return response?.StatusCode;
            },
            status => status == HttpStatusCode.Accepted, TimeSpan.FromSeconds(20), $"the API to acknowledge {webhook.SvixId} once Redis is back");
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    /// <summary>The API's answer to a fresh signing of the delivery, or null while it does not listen yet.</summary>
    private static async Task<HttpResponseMessage?> SendOrNothingAsync(HttpClient client, SignedWebhook webhook)
    {
        try
        {
            return await client.SendAsync(SignedWebhook.Create(webhook.Body, webhook.SvixId).ToRequest());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Slow_redis_gets_prompt_503_and_the_retry_is_queued_once()
    {
        using var client = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());

        // Without a worker the stream keeps what was appended, so a second entry for the svix id would still be there
        // to count; the table's primary key would hide it.
        await using (await stack.KillAsync("worker"))
        {
            // CLIENT PAUSE holds every write for 4.5 s: Redis is up but slower than the API's 1 s queue timeout. An API
            // that waited for Redis would miss the bound by a second.
            await stack.Redis.ExecuteAsync("CLIENT", "PAUSE", "4500", "WRITE");
            try
            {
                var started = Stopwatch.StartNew();
                using var response = await client.SendAsync(webhook.ToRequest());
                started.Stop();
                await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "queue-unavailable");
                Assert.True(started.Elapsed < PhonicStackFixture.PromptRefusal, $"503 took {started.Elapsed.TotalMilliseconds:0} ms");
            }
            finally
            {
                await stack.Redis.ExecuteAsync("CLIENT", "UNPAUSE");
            }

            // The timed-out append may still run once Redis resumes; Svix's retry must then find it, not append again.
            await RetryUntilAcknowledgedAsync(client, webhook);
            var entries = await stack.Redis.StreamRangeAsync(WebhookStream.Name);
            Assert.Single(entries, entry => entry[WebhookStream.Fields.SvixId] == webhook.SvixId);
        }

        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
    }

    /// <summary>Retries a delivery, re-signed each time as Svix does, until the API acknowledges it.</summary>
    private static Task RetryUntilAcknowledgedAsync(HttpClient client, SignedWebhook webhook) =>
        Eventually.ReturnsAsync(
            async () =>
            {
                using var response = await client.SendAsync(SignedWebhook.Create(webhook.Body, webhook.SvixId).ToRequest());
                return response.StatusCode;
            },
            code => code is HttpStatusCode.Accepted or HttpStatusCode.OK,
            TimeSpan.FromSeconds(30),
            $"the API to acknowledge {webhook.SvixId}");

    /// <summary>Sends one delivery, waits until it is stored, and returns the worker's service process.</summary>
    private async Task<int> WorkerThatStoredADeliveryAsync()
    {
        using var client = stack.CreateApiClient();
        var webhook = SignedWebhook.FromSample(SamplePayloads.Ended, SamplePayloads.NewConversationId());

        using var accepted = await client.SendAsync(webhook.ToRequest());
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, webhook.SvixId));
        return ResourceProcesses.ServiceOf(stack.App, "worker", "PhonicAspire.Worker");
    }

    /// <summary>
    /// The settings of the runtimeconfig.json beside the service's entry point, which the runtime reads before any code
    /// of the service runs; the environment's variables would override them.
    /// </summary>
    private (int Service, string Path, JsonElement Properties) RuntimeConfiguration(string resource, string assemblyName)
    {
        var service = ResourceProcesses.ServiceOf(stack.App, resource, assemblyName);
        var arguments = ProcFs.Arguments(service);
        var entryPoint = arguments.FirstOrDefault(argument => Path.GetFileName(argument) is var name && (name == assemblyName || name == assemblyName + ".dll"));
        Assert.True(entryPoint is not null, $"no {assemblyName} entry point in '{string.Join(' ', arguments)}'");

        var runtimeConfiguration = Path.Combine(Path.GetDirectoryName(entryPoint)!, assemblyName + ".runtimeconfig.json");
        using var configuration = JsonDocument.Parse(File.ReadAllBytes(runtimeConfiguration));
        return (service, runtimeConfiguration, configuration.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone());
    }
}
