using System.Text.Json;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// Writes what an event changes in its conversation as one JSON object whose property names are the target
/// columns. PostgreSQL's <c>jsonb_to_record</c> turns it back into typed rows, which costs far less than copying
/// dozens of separate fields per event. Every value is already validated (finite numbers, real timestamps), so
/// the conversion cannot fail; absent values are left out and read back as NULL.
/// </summary>
internal static class ConversationUpdateJson
{
    public static void Write(Utf8JsonWriter writer, PhonicEvent phonicEvent)
    {
        writer.WriteStartObject();
        if (phonicEvent.Ended is { } ended)
        {
            WriteEnded(writer, ended);
        }

        if (phonicEvent.Analysis is { } analysis)
        {
            WriteAnalysis(writer, analysis);
        }

        if (phonicEvent.Transfer is { } transfer)
        {
            WriteString(writer, "transferred_to"u8, transfer.TransferredTo);
        }

        writer.WriteEndObject();
    }

    private static void WriteEnded(Utf8JsonWriter writer, PhonicConversation ended)
    {
        WriteString(writer, "agent_id"u8, ended.AgentId);
        WriteString(writer, "agent_name"u8, ended.AgentName);
        WriteString(writer, "workspace"u8, ended.Workspace);
        WriteString(writer, "project_id"u8, ended.ProjectId);
        WriteString(writer, "project_name"u8, ended.ProjectName);
        WriteString(writer, "external_id"u8, ended.ExternalId);
        WriteString(writer, "origin"u8, ended.Origin);
        WriteString(writer, "model"u8, ended.Model);
        WriteTimestamp(writer, "started_at"u8, ended.StartedAt);
        WriteTimestamp(writer, "ended_at"u8, ended.EndedAt);
        WriteString(writer, "ended_by"u8, ended.EndedBy);
        WriteNumber(writer, "duration_ms"u8, ended.DurationMs);
        WriteString(writer, "from_phone_number"u8, ended.CallInfo?.FromPhoneNumber);
        WriteString(writer, "to_phone_number"u8, ended.CallInfo?.ToPhoneNumber);
        WriteString(writer, "twilio_call_sid"u8, ended.CallInfo?.TwilioCallSid);
        WriteString(writer, "live_transcript"u8, ended.LiveTranscript);
        WriteString(writer, "post_call_transcript"u8, ended.PostCallTranscript);
        WriteString(writer, "audio_url"u8, ended.AudioUrl);
        WriteString(writer, "default_language"u8, ended.DefaultLanguage);
        if (ended.AdditionalLanguages is { } languages)
        {
            writer.WriteStartArray("additional_languages"u8);
            foreach (var language in languages)
            {
                writer.WriteStringValue(language);
            }

            writer.WriteEndArray();
        }

        writer.WriteStartArray("items"u8);
        foreach (var item in ended.Items)
        {
            WriteItem(writer, item);
        }

        writer.WriteEndArray();
    }

    private static void WriteItem(Utf8JsonWriter writer, PhonicItem item)
    {
        writer.WriteStartObject();
        writer.WriteNumber("item_idx"u8, item.ItemIdx);
        WriteString(writer, "item_id"u8, item.Id);
        WriteString(writer, "role"u8, item.Role);
        WriteString(writer, "live_transcript"u8, item.LiveTranscript);
        WriteString(writer, "post_call_transcript"u8, item.PostCallTranscript);
        WriteString(writer, "redacted_transcript"u8, item.RedactedTranscript);
        WriteNumber(writer, "duration_ms"u8, item.DurationMs);
        WriteTimestamp(writer, "started_at"u8, item.StartedAt);
        WriteString(writer, "voice_id"u8, item.VoiceId);
        WriteNumber(writer, "audio_speed"u8, item.AudioSpeed);
        WriteString(writer, "system_prompt"u8, item.SystemPrompt);
        if (item.ToolCalls.Count > 0)
        {
            writer.WriteStartArray("tool_calls"u8);
            foreach (var toolCall in item.ToolCalls)
            {
                WriteToolCall(writer, toolCall);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void WriteToolCall(Utf8JsonWriter writer, PhonicToolCall toolCall)
    {
        writer.WriteStartObject();
        writer.WriteNumber("call_idx"u8, toolCall.Position);
        WriteString(writer, "tool_call_id"u8, toolCall.Id);
        WriteString(writer, "tool_id"u8, toolCall.ToolId);
        WriteString(writer, "tool_name"u8, toolCall.ToolName);
        WriteJson(writer, "request_body"u8, toolCall.RequestBody);
        WriteJson(writer, "response_body"u8, toolCall.ResponseBody);
        if (toolCall.TimedOut is { } timedOut)
        {
            writer.WriteBoolean("timed_out"u8, timedOut);
        }

        WriteString(writer, "error_message"u8, toolCall.ErrorMessage);
        WriteString(writer, "endpoint_method"u8, toolCall.EndpointMethod);
        WriteString(writer, "endpoint_url"u8, toolCall.EndpointUrl);
        WriteJson(writer, "endpoint_headers"u8, toolCall.EndpointHeaders);
        WriteNumber(writer, "endpoint_timeout_ms"u8, toolCall.EndpointTimeoutMs);
        WriteTimestamp(writer, "endpoint_called_at"u8, toolCall.EndpointCalledAt);
        WriteJson(writer, "query_params"u8, toolCall.QueryParams);
        WriteNumber(writer, "response_status_code"u8, toolCall.ResponseStatusCode);
        writer.WriteEndObject();
    }

    private static void WriteAnalysis(Utf8JsonWriter writer, PhonicAnalysis analysis)
    {
        if (analysis.LatenciesMs is { } latencies)
        {
            writer.WriteStartArray("latencies_ms"u8);
            foreach (var latency in latencies)
            {
                if (latency is { } value)
                {
                    writer.WriteNumberValue(value);
                }
                else
                {
                    writer.WriteNullValue();
                }
            }

            writer.WriteEndArray();
        }

        WriteNumber(writer, "interruptions_count"u8, analysis.InterruptionsCount);
    }

    private static void WriteString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteTimestamp(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTimeOffset? value)
    {
        if (value is { } timestamp)
        {
            writer.WriteString(name, timestamp);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, ReadOnlySpan<byte> name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, ReadOnlySpan<byte> name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static void WriteJson(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? json)
    {
        if (json is not null)
        {
            writer.WritePropertyName(name);
            writer.WriteRawValue(json, skipInputValidation: true);
        }
    }
}
