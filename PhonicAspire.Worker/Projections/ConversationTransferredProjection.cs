using System.Linq.Expressions;
using System.Text.Json;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Persistence.Entities;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.Worker.Projections;

/// <summary><c>conversation.transferred</c>: where the call went, and the transfer's <c>items</c> (role and text) as JSON.</summary>
public sealed class ConversationTransferredProjection : ConversationProjection
{
    public override string EventType => PhonicEventTypes.ConversationTransferred;

    public override IReadOnlyList<Expression<Func<Conversation, object?>>> Columns { get; } =
    [
        conversation => conversation.TransferredTo,
    ];

    public override IReadOnlyList<(Expression<Func<Conversation, object?>> Column, string Sql)> PayloadColumns { get; } =
    [
        (conversation => conversation.TransferredItems, "nullif(stored.payload -> 'data' -> 'conversation' -> 'items', 'null')"),
    ];

    public override Expression<Func<Conversation, object?>> VersionCreatedAt { get; } = conversation => conversation.TransferredEventCreatedAt;

    public override Expression<Func<Conversation, object?>> VersionSvixId { get; } = conversation => conversation.TransferredEventSvixId;

    public override ConversationUpdate Read(JsonElement data, JsonElement conversation, string conversationId) =>
        new(this, new Conversation
        {
            Id = conversationId,
            TransferredTo = data.PropertyOrUndefined("transferred_to"u8).StringOrNull(),
        });
}
