using System.Net;
using System.Net.Http.Json;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.WebhookApi.Development;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Tests.Stack;

/// <summary>
/// The operator routes behind the dashboard's buttons answer only the operator key: the internet reaching the API's
/// port through a tunnel, or a web page the operator has open, gets 401 and changes nothing.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class OperatorRouteTests(PhonicStackFixture stack)
{
    public static TheoryData<string?> Callers => new() { null, "Bearer not-the-operator-key-at-all", $"Basic {PhonicStackFixture.OperatorKey}" };

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task A_caller_without_the_operator_key_cannot_make_the_api_sign_and_store_a_test_webhook(string? authorization)
    {
        var before = await StoredEvents.CountTestWebhooksAsync(stack);
        using var client = stack.CreateApiClient();
        using var response = await PostAsync(client, "/admin/test-webhooks", authorization);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "operator-key-required");
        // A test webhook the API had sent would be in the stream ahead of this delivery, so acknowledged once it is.
        var later = SignedWebhook.FromSample(SamplePayloads.Analysis, SamplePayloads.NewConversationId());
        using (var accepted = await client.SendAsync(later.ToRequest()))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await StoredEvents.WaitUntilStoredAsync(stack, later.SvixId);
        Assert.Equal(before, await StoredEvents.CountTestWebhooksAsync(stack));
    }

    [Theory]
    [MemberData(nameof(Callers))]
    public async Task A_caller_without_the_operator_key_cannot_replay_dead_letters(string? authorization)
    {
        var deadLetter = await stack.Redis.StreamAddAsync(WebhookStream.DeadLetterName,
            [new NameValueEntry(WebhookStream.Fields.Error, "operator route test"), new NameValueEntry(WebhookStream.Fields.OriginalEntryId, "1-0")]);
        try
        {
            using var client = stack.CreateWorkerClient();
            using var response = await PostAsync(client, "/admin/dead-letters/replay", authorization);

            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "operator-key-required");
            Assert.Single(await stack.Redis.StreamRangeAsync(WebhookStream.DeadLetterName, deadLetter, deadLetter));
        }
        finally
        {
            await stack.Redis.StreamDeleteAsync(WebhookStream.DeadLetterName, [deadLetter]);
        }
    }

    [Fact]
    public async Task The_operator_key_opens_the_operator_routes()
    {
        using var client = stack.CreateOperatorClient("webhookapi");
        using var response = await client.PostAsync("/admin/test-webhooks?eventType=conversation.analysis", content: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // Stored before the next test counts test webhooks, and proof that the API signed and queued it.
        var sent = await response.Content.ReadFromJsonAsync<TestWebhookSent>();
        Assert.Equal(1, await StoredEvents.WaitUntilStoredAsync(stack, sent!.SvixId));
    }

    [Fact]
    public async Task An_operator_route_that_redis_refuses_answers_a_problem_naming_the_refusal_and_how_far_it_got_without_echoing_the_operator_key()
    {
        // The dead-letter key overwritten by hand: every replay fails with Redis's WRONGTYPE, which waiting does not end.
        await using (await DeadLetters.OverwriteWithStringAsync(stack.Redis))
        {
            using var client = stack.CreateOperatorClient("worker");
            using var response = await client.PostAsync("/admin/dead-letters/replay", content: null);

            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.InternalServerError, "redis-refused");
            var body = await response.Content.ReadAsStringAsync();
            Assert.Contains("Replayed 0 dead letter(s), then RedisServerException (WRONGTYPE) from Redis", body, StringComparison.Ordinal);
            Assert.DoesNotContain(PhonicStackFixture.OperatorKey, body, StringComparison.Ordinal);
        }
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string route, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await client.SendAsync(request);
    }
}
