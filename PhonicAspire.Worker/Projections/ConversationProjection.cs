using System.Linq.Expressions;
using System.Text.Json;
using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Projections;

/// <summary>
/// One Phonic event type's share of a conversation: how its event is read, and which <see cref="Conversation"/>
/// properties it writes. Column names and types come from the EF model, so the staged row and the merge statement
/// (<see cref="Persistence.Staging.ConversationMerge"/>) are derived, never spelled out again. Each event type owns its
/// columns and records the version (<c>created_at</c>, svix id) of the event that last wrote them, so events
/// applied in any order and any number of times leave the same row.
/// </summary>
public abstract class ConversationProjection
{
    /// <summary>The <c>event_type</c> this projection reads, one of <see cref="Webhooks.PhonicEventTypes"/>.</summary>
    public abstract string EventType { get; }

    /// <summary>The properties read from the event itself, staged as typed values.</summary>
    public abstract IReadOnlyList<Expression<Func<Conversation, object?>>> Columns { get; }

    /// <summary>
    /// Properties computed in PostgreSQL from the stored payload (large JSON that PostgreSQL already holds parsed),
    /// each with its SQL expression over <c>stored.payload</c>.
    /// </summary>
    public virtual IReadOnlyList<(Expression<Func<Conversation, object?>> Column, string Sql)> PayloadColumns => [];

    /// <summary>The event's <c>created_at</c> as last applied.</summary>
    public abstract Expression<Func<Conversation, object?>> VersionCreatedAt { get; }

    /// <summary>The svix id of the event last applied.</summary>
    public abstract Expression<Func<Conversation, object?>> VersionSvixId { get; }

    /// <summary>Whether the event carries the conversation's turns, which replace the ones stored before.</summary>
    public virtual bool WritesItems => false;

    /// <summary>Reads an event of this type whose conversation id is known.</summary>
    /// <param name="data">The event's <c>data</c>.</param>
    /// <param name="conversation">Its <c>data.conversation</c>.</param>
    public abstract ConversationUpdate Read(JsonElement data, JsonElement conversation, string conversationId);
}
