using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Projections;

/// <summary>
/// What one event changes in its conversation, read by its <see cref="Projection"/>: the projection's columns of
/// <see cref="Conversation"/> and, for a projection that <see cref="ConversationProjection.WritesItems"/>, the
/// conversation's turns.
/// </summary>
public sealed record ConversationUpdate(ConversationProjection Projection, Conversation Conversation)
{
    public IReadOnlyList<ItemUpdate> Items { get; init; } = [];
}

/// <summary>One turn with its tool calls.</summary>
public sealed record ItemUpdate(ConversationItem Item, IReadOnlyList<ToolCall> ToolCalls);
