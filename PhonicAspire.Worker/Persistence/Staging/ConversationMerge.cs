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
        Conversations = StagedColumns<Conversation>.Of(ConversationProjections.All.SelectMany(projection => projection.Columns));
        Items = StagedColumns<ConversationItem>.AllBut(item => item.ConversationId);
        ToolCalls = StagedColumns<ToolCall>.AllBut(toolCall => toolCall.ConversationId);
        Tables = new StagingTables(Conversations, Items, ToolCalls);
        var itemConversation = Items.ColumnOf(item => item.ConversationId);
        var toolCallConversation = ToolCalls.ColumnOf(toolCall => toolCall.ConversationId);
        _replaceItems =
        [
            MergeStatements.DeleteReplaced(ToolCalls.Table, toolCallConversation),
            MergeStatements.DeleteReplaced(Items.Table, itemConversation),
            MergeStatements.InsertItems(Items, itemConversation),
            MergeStatements.InsertToolCalls(ToolCalls, toolCallConversation),
        ];
    }

    public static ConversationMerge Instance => Lazy.Value;

    // Built once, at first use; ConversationProjectionTests build it too, so a property it cannot stage fails there first.
    private static readonly Lazy<ConversationMerge> Lazy = new(() => new ConversationMerge());

    /// <summary>The columns of staged_updates after its key columns, in the order its COPY takes them.</summary>
    public StagedColumns<Conversation> Conversations { get; }

    /// <summary>The columns of staged_items after the svix id, in the order its COPY takes them.</summary>
    public StagedColumns<ConversationItem> Items { get; }

    /// <summary>The columns of staged_tool_calls after the svix id, in the order its COPY takes them.</summary>
    public StagedColumns<ToolCall> ToolCalls { get; }

    public StagingTables Tables { get; }

    /// <summary>
    /// The event's staging rows, written through <paramref name="rows"/> (cleared first, reused from event to event)
    /// and copied out, so that neither the parsed body nor its entities are kept while the batch is merged.
    /// </summary>
    public StagedUpdate Stage(BinaryCopyRows rows, string svixId, string eventType, string conversationId, DateTimeOffset? createdAt, ConversationUpdate update)
    {
        rows.Clear();
        rows.StartRow(4 + Conversations.Count);
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

        Conversations.Write(rows, update.Conversation);
        var updateRow = rows.ToArray();

        rows.Clear();
        foreach (var item in update.Items)
        {
            rows.StartRow(1 + Items.Count);
            rows.Text(svixId);
            Items.Write(rows, item.Item);
        }

        var itemRows = rows.ToArray();

        rows.Clear();
        foreach (var item in update.Items)
        {
            foreach (var toolCall in item.ToolCalls)
            {
                rows.StartRow(1 + ToolCalls.Count);
                rows.Text(svixId);
                ToolCalls.Write(rows, toolCall);
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
