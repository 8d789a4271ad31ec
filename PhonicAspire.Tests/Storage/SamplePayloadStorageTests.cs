using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Persistence.Entities;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>Each of Phonic's samples lands in the columns its fields belong to.</summary>
public sealed class SamplePayloadStorageTests(PhonicStackFixture stack) : StorageTests(stack)
{
    [Fact]
    public async Task Conversation_ended_is_stored_as_received()
    {
        var conversationId = NewConversationId();
        var body = Sample(Ended, conversationId);
        var delivery = Delivery(body, "conversation.ended");

        var result = await Harness.StoreAsync(delivery);

        Assert.Equal([delivery.SvixId], result.Stored.Select(kept => kept.SvixId));
        Assert.Empty(result.Duplicates);
        var stored = await Harness.QueryAsync(context => context.WebhookEvents.SingleAsync(row => row.SvixId == delivery.SvixId));
        Assert.Equal("conversation.ended", stored.EventType);
        Assert.Equal(conversationId, stored.ConversationId);
        Assert.Equal(DateTimeOffset.Parse("2025-07-14T11:36:33.768Z"), stored.CreatedAt);
        Assert.Equal(ReceivedAt, stored.ReceivedAt);
        Assert.Equal(StorageHarness.StoredAt, stored.StoredAt);
        Assert.Equal(body, stored.RawBody);
        JsonAssert.Equivalent(System.Text.Encoding.UTF8.GetString(body), stored.Payload);
        Assert.Null(stored.ParseError);
    }

    [Fact]
    public async Task Conversation_ended_fills_the_conversation_columns()
    {
        var conversationId = NewConversationId();
        var body = Sample(Ended, conversationId);
        var delivery = Delivery(body);

        await Harness.StoreAsync(delivery);

        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal("agent_7f1c2d3e", conversation.AgentId);
        Assert.Equal("Dental Booking", conversation.AgentName);
        Assert.Equal("acme", conversation.Workspace);
        Assert.Equal("proj_4a5b6c7d-8e9f-4a1b-9c2d-3e4f5a6b7c8d", conversation.ProjectId);
        Assert.Equal("main", conversation.ProjectName);
        Assert.Equal("crm-12345", conversation.ExternalId);
        Assert.Equal("telephony-inbound", conversation.Origin);
        Assert.Equal("merritt", conversation.Model);
        Assert.Equal(DateTimeOffset.Parse("2025-07-14T11:35:40.617Z"), conversation.StartedAt);
        Assert.Equal(DateTimeOffset.Parse("2025-07-14T11:36:27.154Z"), conversation.EndedAt);
        Assert.Equal("user", conversation.EndedBy);
        Assert.Equal(46537, conversation.DurationMs);
        Assert.Equal("+15550100001", conversation.FromPhoneNumber);
        Assert.Equal("+15550100002", conversation.ToPhoneNumber);
        Assert.Equal("CA0123456789abcdef0123456789abcdef", conversation.TwilioCallSid);
        Assert.Equal("Hi, this is Ana from Acme Dental. How can I help?\nI'd like to book a cleaning.", conversation.LiveTranscript);
        Assert.Null(conversation.PostCallTranscript);
        Assert.Null(conversation.AudioUrl);
        Assert.Equal("en", conversation.DefaultLanguage);
        Assert.Equal(new[] { "es" }, conversation.AdditionalLanguages);
        JsonAssert.Equivalent(ExpectedDetails(body), conversation.Details);
        Assert.Equal(DateTimeOffset.Parse("2025-07-14T11:36:33.768Z"), conversation.EndedEventCreatedAt);
        Assert.Equal(delivery.SvixId, conversation.EndedEventSvixId);
        Assert.Null(conversation.LatenciesMs);
        Assert.Null(conversation.AnalysisEventSvixId);
        Assert.Null(conversation.TransferredTo);
        Assert.Null(conversation.TransferredEventSvixId);
    }

    [Fact]
    public async Task Conversation_ended_fills_items_and_tool_calls()
    {
        var conversationId = NewConversationId();

        await Harness.StoreAsync(Delivery(Sample(Ended, conversationId)));

        var items = await Harness.QueryAsync(context =>
            context.ConversationItems.Where(item => item.ConversationId == conversationId).OrderBy(item => item.ItemIdx).ToListAsync());
        Assert.Equal([0, 1, 2], items.Select(item => item.ItemIdx));
        AssertItem(items[0], "item_1", "assistant", "Hi, this is Ana from Acme Dental. How can I help?", 2671.5, "2025-07-14T11:35:41.717Z", "grant", 1);
        AssertItem(items[1], "item_2", "user", "I'd like to book a cleaning.", 1800, "2025-07-14T11:35:45.100Z", null, null);
        AssertItem(items[2], "item_3", "assistant", "Sure, let me check availability.", 2100, "2025-07-14T11:35:47.300Z", "grant", 1);
        Assert.Equal("Help the user book a dental appointment.", items[0].SystemPrompt);
        Assert.Null(items[1].SystemPrompt);

        var toolCall = Assert.Single(await Harness.QueryAsync(context =>
            context.ToolCalls.Where(call => call.ConversationId == conversationId).ToListAsync()));
        Assert.Equal(2, toolCall.ItemIdx);
        Assert.Equal(0, toolCall.CallIdx);
        Assert.Equal("tc_1", toolCall.ToolCallId);
        Assert.Equal("tool_9", toolCall.ToolId);
        Assert.Equal("check_availability", toolCall.ToolName);
        JsonAssert.Equivalent("""{"date":"2025-07-15"}""", toolCall.RequestBody);
        JsonAssert.Equivalent("""{"slots":["09:00","14:30"]}""", toolCall.ResponseBody);
        Assert.False(toolCall.TimedOut);
        Assert.Null(toolCall.ErrorMessage);
        Assert.Equal("POST", toolCall.EndpointMethod);
        Assert.Equal("https://example.com/tools/availability", toolCall.EndpointUrl);
        JsonAssert.Equivalent("""{"Authorization":null}""", toolCall.EndpointHeaders);
        Assert.Equal(7000, toolCall.EndpointTimeoutMs);
        Assert.Equal(DateTimeOffset.Parse("2025-07-14T11:35:47.900Z"), toolCall.EndpointCalledAt);
        Assert.Null(toolCall.QueryParams);
        Assert.Equal(200, toolCall.ResponseStatusCode);
    }

    [Fact]
    public async Task Documentation_sample_of_conversation_ended_is_understood()
    {
        var conversationId = NewConversationId();
        var body = Replace(Read(EndedDocsSample), "conv_894dcb66-c3dd-4160-8606-30387e8ab9b5", conversationId);

        await Harness.StoreAsync(Delivery(body));

        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal("agent_123", conversation.AgentId);
        Assert.Equal("Customer Support", conversation.AgentName);
        Assert.Null(conversation.Origin);
        Assert.Null(conversation.ExternalId);
        Assert.Equal("...", conversation.AudioUrl);
        Assert.Equal(Array.Empty<string>(), conversation.AdditionalLanguages);
        Assert.Equal("+17124583766", conversation.FromPhoneNumber);
        Assert.Null(conversation.TwilioCallSid);
        var item = Assert.Single(await Harness.QueryAsync(context =>
            context.ConversationItems.Where(row => row.ConversationId == conversationId).ToListAsync()));
        Assert.Null(item.ItemId);
        Assert.Equal(26.71, item.DurationMs);
    }

    [Fact]
    public async Task Conversation_analysis_fills_only_its_columns()
    {
        var conversationId = NewConversationId();
        var delivery = Delivery(Sample(Analysis, conversationId));

        await Harness.StoreAsync(delivery);

        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal([3179, 935, 595], conversation.LatenciesMs);
        Assert.Equal(1, conversation.InterruptionsCount);
        Assert.Equal(DateTimeOffset.Parse("2025-07-14T11:36:33.767Z"), conversation.AnalysisEventCreatedAt);
        Assert.Equal(delivery.SvixId, conversation.AnalysisEventSvixId);
        Assert.Null(conversation.AgentId);
        Assert.Null(conversation.Details);
        Assert.Null(conversation.EndedEventSvixId);
        Assert.Null(conversation.TransferredEventSvixId);
    }

    [Fact]
    public async Task Conversation_transferred_fills_only_its_columns()
    {
        var conversationId = NewConversationId();
        var delivery = Delivery(Sample(Transferred, conversationId));

        await Harness.StoreAsync(delivery);

        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal("+15550100003", conversation.TransferredTo);
        JsonAssert.Equivalent(
            """[{"role":"assistant","text":"Let me transfer you now."},{"role":"user","text":"Thanks!"}]""",
            conversation.TransferredItems);
        Assert.Equal(DateTimeOffset.Parse("2025-07-14T11:36:33.767Z"), conversation.TransferredEventCreatedAt);
        Assert.Equal(delivery.SvixId, conversation.TransferredEventSvixId);
        Assert.Null(conversation.FromPhoneNumber);
        Assert.Null(conversation.LatenciesMs);
        Assert.Null(conversation.EndedEventSvixId);
    }

    // details keeps every field of the conversation that has no column of its own.
    private static string ExpectedDetails(byte[] body)
    {
        var conversation = JsonNode.Parse(body)!["data"]!["conversation"]!.AsObject();
        string[] columnBacked =
        [
            "id", "workspace", "external_id", "origin", "model", "started_at", "ended_at", "ended_by", "duration_ms",
            "live_transcript", "post_call_transcript", "audio_url", "default_language", "additional_languages", "items",
        ];
        foreach (var name in columnBacked)
        {
            Assert.True(conversation.Remove(name), $"The sample has no {name}.");
        }

        return conversation.ToJsonString();
    }

    private static void AssertItem(
        ConversationItem item, string itemId, string role, string liveTranscript, double durationMs, string startedAt,
        string? voiceId, double? audioSpeed)
    {
        Assert.Equal(itemId, item.ItemId);
        Assert.Equal(role, item.Role);
        Assert.Equal(liveTranscript, item.LiveTranscript);
        Assert.Null(item.PostCallTranscript);
        Assert.Null(item.RedactedTranscript);
        Assert.Equal(durationMs, item.DurationMs);
        Assert.Equal(DateTimeOffset.Parse(startedAt), item.StartedAt);
        Assert.Equal(voiceId, item.VoiceId);
        Assert.Equal(audioSpeed, item.AudioSpeed);
    }
}
