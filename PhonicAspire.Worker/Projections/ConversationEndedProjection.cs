using System.Linq.Expressions;
using System.Text.Json;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Persistence.Entities;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.Worker.Projections;

/// <summary>
/// <c>conversation.ended</c>: the conversation's own columns, its turns and their tool calls, and <c>details</c>, the
/// rest of <c>data.conversation</c> without the fields stored in columns, which keeps rows small.
/// </summary>
public sealed class ConversationEndedProjection : ConversationProjection
{
    // agent and project stay in details: agent.is_deleted and whatever Phonic adds to them have no column.
    private const string ColumnBackedFields =
        "{id,workspace,external_id,origin,model,started_at,ended_at,ended_by,duration_ms,live_transcript," +
        "post_call_transcript,audio_url,default_language,additional_languages,items}";

    public override string EventType => PhonicEventTypes.ConversationEnded;

    public override IReadOnlyList<Expression<Func<Conversation, object?>>> Columns { get; } =
    [
        conversation => conversation.AgentId,
        conversation => conversation.AgentName,
        conversation => conversation.Workspace,
        conversation => conversation.ProjectId,
        conversation => conversation.ProjectName,
        conversation => conversation.ExternalId,
        conversation => conversation.Origin,
        conversation => conversation.Model,
        conversation => conversation.StartedAt,
        conversation => conversation.EndedAt,
        conversation => conversation.EndedBy,
        conversation => conversation.DurationMs,
        conversation => conversation.FromPhoneNumber,
        conversation => conversation.ToPhoneNumber,
        conversation => conversation.TwilioCallSid,
        conversation => conversation.LiveTranscript,
        conversation => conversation.PostCallTranscript,
        conversation => conversation.AudioUrl,
        conversation => conversation.DefaultLanguage,
        conversation => conversation.AdditionalLanguages,
    ];

    public override IReadOnlyList<(Expression<Func<Conversation, object?>> Column, string Sql)> PayloadColumns { get; } =
    [
        (conversation => conversation.Details, $"(stored.payload -> 'data' -> 'conversation') - '{ColumnBackedFields}'::text[]"),
    ];

    public override Expression<Func<Conversation, object?>> VersionCreatedAt { get; } = conversation => conversation.EndedEventCreatedAt;

    public override Expression<Func<Conversation, object?>> VersionSvixId { get; } = conversation => conversation.EndedEventSvixId;

    public override bool WritesItems => true;

    // One pass over the conversation's properties: it has about fifty, so looking each wanted one up by name would
    // cost more than the parse.
    public override ConversationUpdate Read(JsonElement data, JsonElement conversation, string conversationId)
    {
        JsonElement agent = default, workspace = default, project = default, externalId = default, origin = default,
            model = default, startedAt = default, endedAt = default, endedBy = default, durationMs = default,
            liveTranscript = default, postCallTranscript = default, audioUrl = default, defaultLanguage = default,
            additionalLanguages = default, items = default;

        Span<char> name = stackalloc char[64];
        foreach (var property in conversation.EnumerateObject())
        {
            switch (property.NameInto(name))
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

        // data.call_info: present for phone conversations, null for web ones.
        var callInfo = data.PropertyOrUndefined("call_info"u8);
        return new ConversationUpdate(this, new Conversation
        {
            Id = conversationId,
            AgentId = agent.PropertyOrUndefined("id"u8).IndexableStringOrNull(),
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
            FromPhoneNumber = callInfo.PropertyOrUndefined("from_phone_number"u8).StringOrNull(),
            ToPhoneNumber = callInfo.PropertyOrUndefined("to_phone_number"u8).StringOrNull(),
            TwilioCallSid = callInfo.PropertyOrUndefined("twilio_call_sid"u8).StringOrNull(),
            LiveTranscript = liveTranscript.StringOrNull(),
            PostCallTranscript = postCallTranscript.StringOrNull(),
            AudioUrl = audioUrl.StringOrNull(),
            DefaultLanguage = defaultLanguage.StringOrNull(),
            AdditionalLanguages = additionalLanguages.StringArrayOrNull(),
        })
        {
            Items = ItemsReader.Read(items, conversationId),
        };
    }
}
