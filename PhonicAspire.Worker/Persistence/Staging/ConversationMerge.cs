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

    // The columns of staged_updates after its key columns, and of staged_items and staged_tool_calls after the svix
    // id, in the order their COPYs take them.
    private readonly StagedColumns<Conversation> _conversations;
    private readonly StagedColumns<ConversationItem> _items;
    private readonly StagedColumns<ToolCall> _toolCalls;
    private readonly string _lockConversations;
    private readonly string[] _replaceItems;

    private ConversationMerge()
    {
        var table = StoreMapping.Table(typeof(Conversation));
        var key = StoreMapping.Column<Conversation>(conversation => conversation.Id);
        _lockConversations = MergeStatements.LockConversations(table, key);
        foreach (var projection in ConversationProjections.All)
        {
            var columns = StagedColumns<Conversation>.Of(projection.Columns);
            var bound = new ProjectionColumns(
                projection.EventType,
                columns,
                [.. projection.PayloadColumns.Select(column => (columns.ColumnOf(column.Column), column.Sql))],
                columns.ColumnOf(projection.VersionCreatedAt),
                columns.ColumnOf(projection.VersionSvixId));
            _upserts.Add(projection, MergeStatements.Upsert(table, key, bound, projection.WritesItems));
        }

        // One staged_updates row has the columns of every projection: each upsert reads only its own.
        _conversations = StagedColumns<Conversation>.Of(ConversationProjections.All.SelectMany(projection => projection.Columns));
        _items = StagedColumns<ConversationItem>.AllBut(item => item.ConversationId);
        _toolCalls = StagedColumns<ToolCall>.AllBut(toolCall => toolCall.ConversationId);
        Tables = new StagingTables(_conversations, _items, _toolCalls);
        var itemConversation = _items.ColumnOf(item => item.ConversationId);
        var toolCallConversation = _toolCalls.ColumnOf(toolCall => toolCall.ConversationId);
        _replaceItems =
        [
            MergeStatements.DeleteReplaced(_toolCalls.Table, toolCallConversation),
            MergeStatements.DeleteReplaced(_items.Table, itemConversation),
            MergeStatements.InsertItems(_items, itemConversation),
            MergeStatements.InsertToolCalls(_toolCalls, toolCallConversation),
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
        rows.StartRow(4 + _conversations.Count);
        rows.Text(svixId);
        rows.Text(eventType);
        rows.Text(conversationId);
        if (createdAt is { } timestamp)
        {
            rows.Timestamp(timestamp);
        }
        else
        {
            rows.Null();
        }

        _conversations.Write(rows, update.Conversation);
        var updateRow = rows.ToArray();

        rows.Clear();
        foreach (var item in update.Items)
        {
            rows.StartRow(1 + _items.Count);
            rows.Text(svixId);
            _items.Write(rows, item.Item);
        }

        var itemRows = rows.ToArray();

        rows.Clear();
        foreach (var item in update.Items)
        {
            foreach (var toolCall in item.ToolCalls)
            {
                rows.StartRow(1 + _toolCalls.Count);
                rows.Text(svixId);
                _toolCalls.Write(rows, toolCall);
            }
        }

        return new StagedUpdate(svixId, update.Projection, updateRow, itemRows, rows.ToArray());
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
