using System.Text.Json;
using PhonicAspire.Worker.Persistence.Entities;
using PhonicAspire.Worker.Projections;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// The projections bound to their columns (<see cref="StoreMapping"/>): what each staged update's <c>fields</c> hold
/// (one JSON object whose property names are the target columns; PostgreSQL's <c>jsonb_to_record</c> turns it back
/// into typed rows, which costs far less than copying dozens of separate fields per event), and the statements that
/// merge a batch. Built once, at the first batch; a property of a type staged updates cannot carry fails there.
/// </summary>
internal sealed class ConversationMerge
{
    public const string ItemsMember = "items";
    public const string ToolCallsMember = "tool_calls";

    private static readonly JsonEncodedText ItemsName = JsonEncodedText.Encode(ItemsMember);
    private static readonly JsonEncodedText ToolCallsName = JsonEncodedText.Encode(ToolCallsMember);

    private readonly Dictionary<ConversationProjection, (StagedColumns<Conversation> Columns, string Upsert)> _projections = [];
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
            _projections.Add(projection, (columns, MergeStatements.Upsert(table, key, bound, projection.WritesItems)));
        }

        _items = StagedColumns<ConversationItem>.AllBut(item => item.ConversationId);
        _toolCalls = StagedColumns<ToolCall>.AllBut(toolCall => toolCall.ConversationId, toolCall => toolCall.ItemIdx);
        var itemConversation = _items.ColumnOf(item => item.ConversationId);
        var toolCallConversation = _toolCalls.ColumnOf(toolCall => toolCall.ConversationId);
        _replaceItems =
        [
            MergeStatements.DeleteReplaced(_toolCalls.Table, toolCallConversation),
            MergeStatements.DeleteReplaced(_items.Table, itemConversation),
            MergeStatements.InsertItems(_items, itemConversation),
            MergeStatements.InsertToolCalls(_toolCalls, toolCallConversation, _toolCalls.ColumnOf(toolCall => toolCall.ItemIdx), _items),
        ];
    }

    public static ConversationMerge Instance => Lazy.Value;

    // Built once, at first use; ConversationProjectionTests build it too, so a property it cannot stage fails there first.
    private static readonly Lazy<ConversationMerge> Lazy = new(() => new ConversationMerge());

    /// <summary>Writes the update's <c>fields</c>; every value is already validated, so PostgreSQL's conversion cannot fail.</summary>
    public void WriteFields(Utf8JsonWriter writer, ConversationUpdate update)
    {
        writer.WriteStartObject();
        _projections[update.Projection].Columns.Write(writer, update.Conversation);
        if (update.Projection.WritesItems)
        {
            writer.WriteStartArray(ItemsName);
            foreach (var (item, toolCalls) in update.Items)
            {
                writer.WriteStartObject();
                _items.Write(writer, item);
                if (toolCalls.Count > 0)
                {
                    writer.WriteStartArray(ToolCallsName);
                    foreach (var toolCall in toolCalls)
                    {
                        writer.WriteStartObject();
                        _toolCalls.Write(writer, toolCall);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
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
            yield return _projections[projection].Upsert;
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
