using System.Text.Json;
using PhonicAspire.Worker.Persistence.Entities;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.Worker.Projections;

/// <summary>Reads <c>items[]</c> of an ended conversation, with each assistant turn's tool calls.</summary>
internal static class ItemsReader
{
    public static IReadOnlyList<ItemUpdate> Read(JsonElement items, string conversationId)
    {
        if (items.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var keys = ItemKeys(items);
        var read = new ItemUpdate[keys.Length];
        var position = 0;
        foreach (var item in items.EnumerateArray())
        {
            read[position] = ReadItem(item, conversationId, keys[position]);
            position++;
        }

        return read;
    }

    // item_idx keys the stored rows, so it is used only when every item has a distinct one; otherwise (missing,
    // repeated or not an integer) the positions in items[] serve, which are always distinct.
    private static int[] ItemKeys(JsonElement items)
    {
        var keys = new int[items.GetArrayLength()];
        var seen = new HashSet<int>(keys.Length);
        var position = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (item.PropertyOrUndefined("item_idx"u8).Int32OrNull() is not { } itemIdx || !seen.Add(itemIdx))
            {
                return [.. Enumerable.Range(0, keys.Length)];
            }

            keys[position++] = itemIdx;
        }

        return keys;
    }

    private static ItemUpdate ReadItem(JsonElement item, string conversationId, int itemIdx)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return new ItemUpdate(new ConversationItem { ConversationId = conversationId, ItemIdx = itemIdx }, []);
        }

        JsonElement id = default, role = default, liveTranscript = default, postCallTranscript = default,
            redactedTranscript = default, durationMs = default, startedAt = default, voiceId = default,
            audioSpeed = default, systemPrompt = default, toolCalls = default;

        Span<char> name = stackalloc char[64];
        foreach (var property in item.EnumerateObject())
        {
            switch (property.NameInto(name))
            {
                case "id": id = property.Value; break;
                case "role": role = property.Value; break;
                case "live_transcript": liveTranscript = property.Value; break;
                case "post_call_transcript": postCallTranscript = property.Value; break;
                case "redacted_transcript": redactedTranscript = property.Value; break;
                case "duration_ms": durationMs = property.Value; break;
                case "started_at": startedAt = property.Value; break;
                case "voice_id": voiceId = property.Value; break;
                case "audio_speed": audioSpeed = property.Value; break;
                case "system_prompt": systemPrompt = property.Value; break;
                case "tool_calls": toolCalls = property.Value; break;
            }
        }

        return new ItemUpdate(
            new ConversationItem
            {
                ConversationId = conversationId,
                ItemIdx = itemIdx,
                ItemId = id.StringOrNull(),
                Role = role.StringOrNull(),
                LiveTranscript = liveTranscript.StringOrNull(),
                PostCallTranscript = postCallTranscript.StringOrNull(),
                RedactedTranscript = redactedTranscript.StringOrNull(),
                DurationMs = durationMs.DoubleOrNull(),
                StartedAt = startedAt.TimestampOrNull(),
                VoiceId = voiceId.StringOrNull(),
                AudioSpeed = audioSpeed.DoubleOrNull(),
                SystemPrompt = systemPrompt.StringOrNull(),
            },
            ReadToolCalls(toolCalls, conversationId, itemIdx));
    }

    private static IReadOnlyList<ToolCall> ReadToolCalls(JsonElement toolCalls, string conversationId, int itemIdx)
    {
        if (toolCalls.ValueKind != JsonValueKind.Array || toolCalls.GetArrayLength() == 0)
        {
            return [];
        }

        var read = new ToolCall[toolCalls.GetArrayLength()];
        var position = 0;
        foreach (var toolCall in toolCalls.EnumerateArray())
        {
            read[position] = ReadToolCall(toolCall, conversationId, itemIdx, position);
            position++;
        }

        return read;
    }

    private static ToolCall ReadToolCall(JsonElement toolCall, string conversationId, int itemIdx, int position)
    {
        var tool = toolCall.PropertyOrUndefined("tool"u8);
        return new ToolCall
        {
            ConversationId = conversationId,
            ItemIdx = itemIdx,
            CallIdx = position,
            ToolCallId = toolCall.PropertyOrUndefined("id"u8).StringOrNull(),
            ToolId = tool.PropertyOrUndefined("id"u8).StringOrNull(),
            ToolName = tool.PropertyOrUndefined("name"u8).IndexableStringOrNull(),
            RequestBody = toolCall.PropertyOrUndefined("request_body"u8).RawJsonOrNull(),
            ResponseBody = toolCall.PropertyOrUndefined("response_body"u8).RawJsonOrNull(),
            TimedOut = toolCall.PropertyOrUndefined("timed_out"u8).BooleanOrNull(),
            ErrorMessage = toolCall.PropertyOrUndefined("error_message"u8).StringOrNull(),
            EndpointMethod = toolCall.PropertyOrUndefined("endpoint_method"u8).StringOrNull(),
            EndpointUrl = toolCall.PropertyOrUndefined("endpoint_url"u8).StringOrNull(),
            EndpointHeaders = toolCall.PropertyOrUndefined("endpoint_headers"u8).RawJsonOrNull() is { } headers
                ? CredentialRedaction.RedactHeaderObject(headers)
                : null,
            EndpointTimeoutMs = toolCall.PropertyOrUndefined("endpoint_timeout_ms"u8).Int32OrNull(),
            EndpointCalledAt = toolCall.PropertyOrUndefined("endpoint_called_at"u8).TimestampOrNull(),
            QueryParams = toolCall.PropertyOrUndefined("query_params"u8).RawJsonOrNull(),
            ResponseStatusCode = toolCall.PropertyOrUndefined("response_status_code"u8).Int32OrNull(),
        };
    }
}
