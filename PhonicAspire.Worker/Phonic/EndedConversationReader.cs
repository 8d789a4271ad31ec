using System.Text.Json;

namespace PhonicAspire.Worker.Phonic;

/// <summary>
/// Reads the columns of a <c>conversation.ended</c> conversation in one pass over its properties; the
/// conversation has about fifty, so looking each wanted one up by name would cost more than the parse.
/// </summary>
internal static class EndedConversationReader
{
    public static PhonicConversation Read(JsonElement conversation, string conversationId, JsonElement callInfo)
    {
        JsonElement agent = default, workspace = default, project = default, externalId = default, origin = default,
            model = default, startedAt = default, endedAt = default, endedBy = default, durationMs = default,
            liveTranscript = default, postCallTranscript = default, audioUrl = default, defaultLanguage = default,
            additionalLanguages = default, items = default;

        foreach (var property in conversation.EnumerateObject())
        {
            switch (property.Name)
            {
                case "agent": agent = property.Value; break;
                case "workspace": workspace = property.Value; break;
                case "project": project = property.Value; break;
                case "external_id": externalId = property.Value; break;
                case "origin": origin = property.Value; break;
                case "model": model = property.Value; break;
                case "started_at": startedAt = property.Value; break;
                case "ended_at": endedAt = property.Value; break;
                case "ended_by": endedBy = property.Value; break;
                case "duration_ms": durationMs = property.Value; break;
                case "live_transcript": liveTranscript = property.Value; break;
                case "post_call_transcript": postCallTranscript = property.Value; break;
                case "audio_url": audioUrl = property.Value; break;
                case "default_language": defaultLanguage = property.Value; break;
                case "additional_languages": additionalLanguages = property.Value; break;
                case "items": items = property.Value; break;
            }
        }

        return new PhonicConversation
        {
            Id = conversationId,
            AgentId = agent.PropertyOrUndefined("id"u8).StringOrNull(),
            AgentName = agent.PropertyOrUndefined("name"u8).StringOrNull(),
            Workspace = workspace.StringOrNull(),
            ProjectId = project.PropertyOrUndefined("id"u8).StringOrNull(),
            ProjectName = project.PropertyOrUndefined("name"u8).StringOrNull(),
            ExternalId = externalId.StringOrNull(),
            Origin = origin.StringOrNull(),
            Model = model.StringOrNull(),
            StartedAt = startedAt.TimestampOrNull(),
            EndedAt = endedAt.TimestampOrNull(),
            EndedBy = endedBy.StringOrNull(),
            DurationMs = durationMs.DoubleOrNull(),
            LiveTranscript = liveTranscript.StringOrNull(),
            PostCallTranscript = postCallTranscript.StringOrNull(),
            AudioUrl = audioUrl.StringOrNull(),
            DefaultLanguage = defaultLanguage.StringOrNull(),
            AdditionalLanguages = additionalLanguages.StringArrayOrNull(),
            CallInfo = ReadCallInfo(callInfo),
            Items = ItemsReader.Read(items),
        };
    }

    private static PhonicCallInfo? ReadCallInfo(JsonElement callInfo) =>
        callInfo.ValueKind == JsonValueKind.Object
            ? new PhonicCallInfo(
                callInfo.PropertyOrUndefined("from_phone_number"u8).StringOrNull(),
                callInfo.PropertyOrUndefined("to_phone_number"u8).StringOrNull(),
                callInfo.PropertyOrUndefined("twilio_call_sid"u8).StringOrNull())
            : null;
}
