using System.Text;
using Microsoft.EntityFrameworkCore;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Webhooks;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// Every delivery is kept exactly as received, even one that is not a Phonic event or that jsonb cannot hold;
/// the reason goes to parse_error and the rest of the batch is stored as usual.
/// </summary>
public sealed class UnusualBodyTests(PhonicStackFixture stack) : StorageTests(stack)
{
    [Fact]
    public async Task Body_that_is_not_json_is_kept_with_a_parse_error()
    {
        var delivery = Delivery("<html>502 Bad Gateway</html>"u8.ToArray(), "conversation.ended");

        var stored = await StoreOneAsync(delivery);

        Assert.Equal(delivery.Body.ToArray(), stored.RawBody);
        Assert.Null(stored.Payload);
        Assert.Contains("not JSON", stored.ParseError);
        Assert.Equal("conversation.ended", stored.EventType);
    }

    [Fact]
    public async Task Body_with_an_escaped_nul_character_is_kept_without_payload()
    {
        var conversationId = NewConversationId();
        var body = Replace(Sample(Ended, conversationId), "\"workspace\":\"acme\"", "\"workspace\":\"ac\\u0000me\"");
        var delivery = Delivery(body);
        var healthyNeighbour = Delivery(Sample(Analysis, NewConversationId()));

        var result = await Harness.StoreAsync(delivery, healthyNeighbour);

        Assert.Equal([delivery.SvixId, healthyNeighbour.SvixId], result.Stored.Select(kept => kept.SvixId));
        var stored = await StoredAsync(delivery);
        Assert.Equal(body, stored.RawBody);
        Assert.Null(stored.Payload);
        Assert.Contains("\\u0000", stored.ParseError);
        Assert.Equal(conversationId, stored.ConversationId);
        Assert.False(await Harness.QueryAsync(context => context.Conversations.AnyAsync(row => row.Id == conversationId)));
        Assert.Null((await StoredAsync(healthyNeighbour)).ParseError);
    }

    [Fact]
    public async Task Body_whose_event_type_holds_a_nul_character_is_kept_without_an_event_type()
    {
        // The API labels the delivery with the body's event_type as it reads it, NUL included; text cannot hold it.
        var body = "{\"event_type\":\"conversation.ended\\u0000\",\"data\":{}}"u8.ToArray();
        var delivery = Delivery(body, "conversation.ended\0");

        var stored = await StoreOneAsync(delivery);

        Assert.Equal(body, stored.RawBody);
        Assert.Null(stored.EventType);
        Assert.Contains("\\u0000", stored.ParseError);
    }

    [Fact]
    public async Task Body_with_invalid_utf8_is_kept_byte_for_byte()
    {
        byte[] body = [.. "{\"event_type\":\"conversation.ended\",\"x\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8];
        var delivery = Delivery(body, "conversation.ended");

        var stored = await StoreOneAsync(delivery);

        Assert.Equal(body, stored.RawBody);
        Assert.Null(stored.Payload);
        Assert.Contains("UTF-8", stored.ParseError);
    }

    [Fact]
    public async Task Body_with_an_unpaired_surrogate_escape_is_kept_without_payload()
    {
        var delivery = Delivery(Encoding.UTF8.GetBytes("""{"event_type":"conversation.analysis","data":{"conversation":{"id":"x\ud800"}}}"""));

        var stored = await StoreOneAsync(delivery);

        Assert.Null(stored.Payload);
        Assert.Contains("surrogate", stored.ParseError);
    }

    [Theory]
    [InlineData("""["\u0000"]""", "\\u0000")]
    [InlineData("1e999999", "numeric")]
    [InlineData("""["\ud800"]""", "surrogate")]
    public async Task Body_that_is_no_object_and_that_jsonb_cannot_hold_is_kept_without_payload(string body, string problem)
    {
        var delivery = Delivery(Encoding.UTF8.GetBytes(body), "conversation.ended");
        var healthyNeighbour = Delivery(Sample(Analysis, NewConversationId()));

        var result = await Harness.StoreAsync(delivery, healthyNeighbour);

        Assert.Equal([delivery.SvixId, healthyNeighbour.SvixId], result.Stored.Select(kept => kept.SvixId));
        var stored = await StoredAsync(delivery);
        Assert.Equal(delivery.Body.ToArray(), stored.RawBody);
        Assert.Null(stored.Payload);
        Assert.Contains(problem, stored.ParseError);
    }

    [Fact]
    public async Task Body_whose_conversation_id_is_too_long_to_index_and_that_jsonb_cannot_hold_is_kept_without_payload()
    {
        var body = Encoding.UTF8.GetBytes(
            """{"event_type":"conversation.ended","data":{"conversation":{"id":""" + $"\"{new string('c', 2100)}\"" + ""","workspace":"a\u0000b"}}}""");
        var delivery = Delivery(body, "conversation.ended");

        var stored = await StoreOneAsync(delivery);

        Assert.Equal(body, stored.RawBody);
        Assert.Null(stored.Payload);
        Assert.Null(stored.ConversationId);
        Assert.Contains("\\u0000", stored.ParseError);
    }

    [Fact]
    public async Task Unknown_event_type_is_kept_without_touching_conversations()
    {
        var conversationId = NewConversationId();
        var body = Replace(Sample(Transferred, conversationId), "conversation.transferred", "conversation.summarized");
        var delivery = Delivery(body, "conversation.summarized");

        var stored = await StoreOneAsync(delivery);

        Assert.Equal("conversation.summarized", stored.EventType);
        Assert.Equal(conversationId, stored.ConversationId);
        Assert.NotNull(stored.Payload);
        Assert.Null(stored.ParseError);
        Assert.False(await Harness.QueryAsync(context => context.Conversations.AnyAsync(row => row.Id == conversationId)));
    }

    [Theory]
    [InlineData(383, -16_000, true)] // 16,383 digits after the point, numeric's most
    [InlineData(384, -16_000, false)]
    [InlineData(10_000, -10_000, false)] // length and exponent each far from their own limits
    public async Task Number_stays_in_the_payload_only_when_numeric_can_hold_its_digits_after_the_point(int fractionDigits, int exponent, bool fits)
    {
        var number = $"0.{new string('0', fractionDigits - 1)}1e{exponent}";
        var delivery = Delivery(Encoding.UTF8.GetBytes(
            $$$"""{"event_type":"conversation.analysis","data":{"conversation":{"id":"{{{NewConversationId()}}}"}},"reading":{{{number}}}}"""));

        var stored = await StoreOneAsync(delivery);

        Assert.Equal(delivery.Body.ToArray(), stored.RawBody);
        if (fits)
        {
            Assert.Null(stored.ParseError);
            Assert.NotNull(stored.Payload);
        }
        else
        {
            Assert.Contains("numeric", stored.ParseError);
            Assert.Null(stored.Payload);
        }
    }

    [Theory]
    [InlineData("""{"event_type":"conversation.ended","created_at":"2025-07-14T11:36:33.768Z","data":{"conversation":{"agent":null}}}""")]
    [InlineData("""{"event_type":"conversation.analysis","data":{"conversation":{"id":42}}}""")]
    [InlineData("""{"event_type":"conversation.transferred","data":null}""")]
    [InlineData("""["conversation.ended"]""")]
    public async Task Known_event_without_a_conversation_id_is_kept_with_a_parse_error(string json)
    {
        var delivery = Delivery(Encoding.UTF8.GetBytes(json));

        var stored = await StoreOneAsync(delivery);

        Assert.NotNull(stored.Payload);
        Assert.NotNull(stored.ParseError);
        Assert.Null(stored.ConversationId);
    }

    [Fact]
    public async Task Fields_of_the_wrong_type_leave_only_their_own_columns_empty()
    {
        var conversationId = NewConversationId();
        var body = Replace(Sample(Ended, conversationId), "\"duration_ms\":46537", "\"duration_ms\":\"long\"");
        body = Replace(body, "\"started_at\":\"2025-07-14T11:35:40.617Z\"", "\"started_at\":1752492940");
        body = Replace(body, "\"agent\":{", "\"agent\":[],\"ignored\":{");
        body = Replace(body, "\"items\":[{", "\"items\":[7,{");

        var stored = await StoreOneAsync(Delivery(body));

        Assert.Null(stored.ParseError);
        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Null(conversation.DurationMs);
        Assert.Null(conversation.StartedAt);
        Assert.Null(conversation.AgentId);
        Assert.Equal("acme", conversation.Workspace);
        Assert.Equal(DateTimeOffset.Parse("2025-07-14T11:36:27.154Z"), conversation.EndedAt);
        var itemCount = await Harness.QueryAsync(context => context.ConversationItems.CountAsync(item => item.ConversationId == conversationId));
        Assert.Equal(4, itemCount);
    }

    [Fact]
    public async Task Conversation_id_too_long_for_an_index_entry_is_kept_with_a_parse_error()
    {
        // PostgreSQL refuses a key of more than about 2.7 KB after compression, and random text barely compresses.
        var conversationId = $"conv_{IncompressibleText(4_000)}";
        var delivery = Delivery(Sample(Ended, conversationId));
        var healthyNeighbour = Delivery(Sample(Analysis, NewConversationId()));

        var result = await Harness.StoreAsync(delivery, healthyNeighbour);

        Assert.Equal([delivery.SvixId, healthyNeighbour.SvixId], result.Stored.Select(kept => kept.SvixId));
        var stored = await StoredAsync(delivery);
        Assert.Null(stored.ConversationId);
        Assert.Contains("data.conversation.id", stored.ParseError);
        Assert.NotNull(stored.Payload);
        Assert.False(await Harness.QueryAsync(context => context.Conversations.AnyAsync(row => row.Id == conversationId)));
    }

    [Fact]
    public async Task Agent_id_and_tool_name_too_long_for_an_index_entry_leave_only_their_own_columns_empty()
    {
        var conversationId = NewConversationId();
        var agentId = $"agent_{IncompressibleText(4_000)}";
        var body = Replace(Sample(Ended, conversationId), "\"id\":\"agent_7f1c2d3e\"", $"\"id\":\"{agentId}\"");
        body = Replace(body, "\"name\":\"check_availability\"", $"\"name\":\"{IncompressibleText(4_000)}\"");

        var stored = await StoreOneAsync(Delivery(body));

        Assert.Null(stored.ParseError);
        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Null(conversation.AgentId);
        Assert.Equal("Dental Booking", conversation.AgentName);
        var toolCall = await Harness.QueryAsync(context => context.ToolCalls.SingleAsync(row => row.ConversationId == conversationId));
        Assert.Null(toolCall.ToolName);
        Assert.Equal("tool_9", toolCall.ToolId);
    }

    private static string IncompressibleText(int bytes) => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(bytes));

    private async Task<PhonicAspire.Worker.Persistence.Entities.WebhookEvent> StoreOneAsync(QueuedDelivery delivery)
    {
        var result = await Harness.StoreAsync(delivery);
        Assert.Equal([delivery.SvixId], result.Stored.Select(kept => kept.SvixId));
        return await StoredAsync(delivery);
    }

    private Task<PhonicAspire.Worker.Persistence.Entities.WebhookEvent> StoredAsync(QueuedDelivery delivery) =>
        Harness.QueryAsync(context => context.WebhookEvents.SingleAsync(row => row.SvixId == delivery.SvixId));
}
