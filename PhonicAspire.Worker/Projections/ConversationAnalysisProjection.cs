using System.Linq.Expressions;
using System.Text.Json;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Persistence.Entities;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.Worker.Projections;

/// <summary><c>conversation.analysis</c>: the conversation's latencies and interruptions.</summary>
public sealed class ConversationAnalysisProjection : ConversationProjection
{
    public override string EventType => PhonicEventTypes.ConversationAnalysis;

    public override IReadOnlyList<Expression<Func<Conversation, object?>>> Columns { get; } =
    [
        conversation => conversation.LatenciesMs,
        conversation => conversation.InterruptionsCount,
    ];

    public override Expression<Func<Conversation, object?>> VersionCreatedAt { get; } = conversation => conversation.AnalysisEventCreatedAt;

    public override Expression<Func<Conversation, object?>> VersionSvixId { get; } = conversation => conversation.AnalysisEventSvixId;

    public override ConversationUpdate Read(JsonElement data, JsonElement conversation, string conversationId) =>
        new(this, new Conversation
        {
            Id = conversationId,
            LatenciesMs = conversation.PropertyOrUndefined("latencies_ms"u8).DoubleArrayOrNull(),
            InterruptionsCount = conversation.PropertyOrUndefined("interruptions_count"u8).Int32OrNull(),
        });
}
