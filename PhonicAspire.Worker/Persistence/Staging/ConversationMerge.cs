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

    private readonly StagedRows _rows;
    private readonly string _lockConversations;
    private readonly string[] _replaceItems;

    private ConversationMerge()
    {
        // An event's conversation row has the columns of every projection: each upsert reads only its own.
        var conversations = StagedColumns<Conversation>.Of(ConversationProjections.All.SelectMany(projection => projection.Columns));
        var items = StagedColumns<ConversationItem>.AllBut(item => item.ConversationId);
        var toolCalls = StagedColumns<ToolCall>.AllBut(toolCall => toolCall.ConversationId);
        _rows = new StagedRows(conversations, items, toolCalls);
        Tables = new StagingTables(_rows);

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

        var itemConversation = items.ColumnOf(item => item.ConversationId);
        var toolCallConversation = toolCalls.ColumnOf(toolCall => toolCall.ConversationId);
        _replaceItems =
        [
            MergeStatements.DeleteReplaced(toolCalls.Table, toolCallConversation),
            MergeStatements.DeleteReplaced(items.Table, itemConversation),
            MergeStatements.InsertItems(Tables, items, itemConversation),
            MergeStatements.InsertToolCalls(Tables, toolCalls, toolCallConversation),
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
        _rows.WriteConversation(rows, svixId, eventType, conversationId, createdAt, update.Conversation);
        foreach (var item in update.Items)
        {
            _rows.WriteItem(rows, svixId, item.Item);
            foreach (var toolCall in item.ToolCalls)
            {
                _rows.WriteToolCall(rows, svixId, toolCall);
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
