using PhonicAspire.Worker.Persistence.Entities;
using PhonicAspire.Worker.Projections;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// The projections bound to their columns (<see cref="StoreMapping"/>): the staging tables a batch's updates are
/// copied into, typed as the columns they go to, and the statements that merge a batch. Built once, at the first
/// batch; a property of a type the staging tables cannot carry fails there.
/// </summary>
internal sealed class ConversationMerge
{
    private readonly Dictionary<ConversationProjection, string> _upserts = [];

    // The columns of a conversation, a turn and a tool call, in the order the staging COPY takes them.
    private readonly StagedColumns<Conversation> _conversations;
    private readonly StagedColumns<ConversationItem> _items;
    private readonly StagedColumns<ToolCall> _toolCalls;
    private readonly string _lockConversations;
    private readonly string[] _replaceItems;

    private ConversationMerge()
    {
        // One staged_updates row has the columns of every projection: each upsert reads only its own.
        _conversations = StagedColumns<Conversation>.Of(ConversationProjections.All.SelectMany(projection => projection.Columns));
        _items = StagedColumns<ConversationItem>.AllBut(item => item.ConversationId);
        _toolCalls = StagedColumns<ToolCall>.AllBut(toolCall => toolCall.ConversationId);
        Tables = new StagingTables(_conversations, _items, _toolCalls);

        var table = StoreMapping.Table(typeof(Conversation));
        var key = StoreMapping.Column<Conversation>(conversation => conversation.Id);
        _lockConversations = MergeStatements.LockConversations(Tables, table, key);
        foreach (var projection in ConversationProjections.All)
        {
            var columns = StagedColumns<Conversation>.Of(projection.Columns);
            var bound = new ProjectionColumns(
                projection.EventType,
                columns,
                [.. projection.PayloadColumns.Select(column => (columns.ColumnOf(column.Column), column.Sql))],
                columns.ColumnOf(projection.VersionCreatedAt),
                columns.ColumnOf(projection.VersionSvixId));
            _upserts.Add(projection, MergeStatements.Upsert(Tables, table, key, bound, projection.WritesItems));
        }

        var itemConversation = _items.ColumnOf(item => item.ConversationId);
        var toolCallConversation = _toolCalls.ColumnOf(toolCall => toolCall.ConversationId);
        _replaceItems =
        [
            MergeStatements.DeleteReplaced(_toolCalls.Table, toolCallConversation),
            MergeStatements.DeleteReplaced(_items.Table, itemConversation),
            MergeStatements.InsertItems(Tables, _items, itemConversation),
            MergeStatements.InsertToolCalls(Tables, _toolCalls, toolCallConversation),
        ];
    }

    public static ConversationMerge Instance => Lazy.Value;

    // Built once, at first use; ConversationProjectionTests build it too, so a property it cannot stage fails there first.
    private static readonly Lazy<ConversationMerge> Lazy = new(() => new ConversationMerge());

    public StagingTables Tables { get; }

    /// <summary>
    /// The event's staging rows, written through <paramref name="rows"/> (cleared first, reused from event to event)
    /// and copied out, so that neither the parsed body nor its entities are kept while the batch is merged.
    /// </summary>
    public StagedUpdate Stage(BinaryCopyRows rows, string svixId, string eventType, string conversationId, DateTimeOffset? createdAt, ConversationUpdate update)
    {
        rows.Clear();
        Tables.StartUpdate(rows, svixId, eventType, conversationId, createdAt);
        _conversations.Write(rows, update.Conversation);
        Tables.EndUpdate(rows);
        foreach (var item in update.Items)
        {
            Tables.StartItem(rows, svixId);
            _items.Write(rows, item.Item);
            Tables.EndItem(rows);
        }

        foreach (var item in update.Items)
        {
            foreach (var toolCall in item.ToolCalls)
            {
                Tables.StartToolCall(rows, svixId);
                _toolCalls.Write(rows, toolCall);
            }
        }

        return new StagedUpdate(update.Projection, rows.ToArray());
    }

    /// <summary>The statements that apply a batch holding updates of these projections, and only those.</summary>
    public IEnumerable<string> Statements(IReadOnlySet<ConversationProjection> present)
    {
        // One event type means one upsert statement, which takes its rows in the global order by itself.
        if (present.Count > 1)
        {
            yield return _lockConversations;
        }

        foreach (var projection in ConversationProjections.All.Where(present.Contains))
        {
            yield return _upserts[projection];
        }

        if (present.Any(projection => projection.WritesItems))
        {
            foreach (var statement in _replaceItems)
            {
                yield return statement;
            }
        }
    }
}
