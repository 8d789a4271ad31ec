using PhonicAspire.Worker.Persistence.Entities;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// The rows of staged_rows (<see cref="StagingTables"/>), one kind a row: an event's conversation columns, one of its
/// turns, or one of their tool calls. A row has every kind's columns, each named after its kind (a conversation, a turn
/// and a tool call share column names), and leaves the other kinds' NULL, which binary COPY sends as four bytes and
/// the row keeps in its null bitmap. Written here in the order of <see cref="Names"/>, which the COPY takes.
/// </summary>
internal sealed class StagedRows(
    StagedColumns<Conversation> conversations, StagedColumns<ConversationItem> items, StagedColumns<ToolCall> toolCalls)
{
    private const string ConversationPrefix = "conversation_";
    private const string ItemPrefix = "item_";
    private const string ToolCallPrefix = "tool_call_";

    // kind and svix_id begin every row; event_type, conversation_id and created_at follow, a conversation row's own.
    private const int LeadingColumns = 2;
    private const int EventColumns = 3;

    private readonly int _columns = LeadingColumns + EventColumns + conversations.Count + items.Count + toolCalls.Count;

    private enum Kind : short
    {
        Conversation = 0,
        Item = 1,
        ToolCall = 2,
    }

    /// <summary>The columns' definitions, for the table.</summary>
    public string Definitions => $"""
        kind smallint NOT NULL,
        svix_id text NOT NULL,
        event_type text,
        conversation_id text,
        created_at timestamptz,
        {conversations.Definitions(ConversationPrefix)},
        {items.Definitions(ItemPrefix)},
        {toolCalls.Definitions(ToolCallPrefix)}
        """;

    /// <summary>The columns in the order the rows are written, for the COPY.</summary>
    public string Names => $"""
        kind, svix_id, event_type, conversation_id, created_at, {conversations.PrefixedNames(ConversationPrefix)},
        {items.PrefixedNames(ItemPrefix)}, {toolCalls.PrefixedNames(ToolCallPrefix)}
        """;

    /// <summary>The conversation rows' svix id, event type, conversation id and created_at, then their columns under their own names.</summary>
    public string SelectConversations(string table) =>
        $"SELECT svix_id, event_type, conversation_id, created_at, {conversations.Unprefixed(ConversationPrefix)} FROM {table} WHERE kind = {(short)Kind.Conversation}";

    /// <summary>The turns' svix id, then their columns under their own names.</summary>
    public string SelectItems(string table) =>
        $"SELECT svix_id, {items.Unprefixed(ItemPrefix)} FROM {table} WHERE kind = {(short)Kind.Item}";

    /// <summary>The tool calls' svix id, then their columns under their own names.</summary>
    public string SelectToolCalls(string table) =>
        $"SELECT svix_id, {toolCalls.Unprefixed(ToolCallPrefix)} FROM {table} WHERE kind = {(short)Kind.ToolCall}";

    public void WriteConversation(BinaryCopyRows rows, string svixId, string eventType, string conversationId, DateTimeOffset? createdAt, Conversation conversation)
    {
        Start(rows, Kind.Conversation, svixId);
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

        conversations.Write(rows, conversation);
        rows.Nulls(items.Count + toolCalls.Count);
    }

    public void WriteItem(BinaryCopyRows rows, string svixId, ConversationItem item)
    {
        Start(rows, Kind.Item, svixId);
        rows.Nulls(EventColumns + conversations.Count);
        items.Write(rows, item);
        rows.Nulls(toolCalls.Count);
    }

    public void WriteToolCall(BinaryCopyRows rows, string svixId, ToolCall toolCall)
    {
        Start(rows, Kind.ToolCall, svixId);
        rows.Nulls(EventColumns + conversations.Count + items.Count);
        toolCalls.Write(rows, toolCall);
    }

    private void Start(BinaryCopyRows rows, Kind kind, string svixId)
    {
        rows.StartRow(_columns);
        rows.Int16((short)kind);
        rows.Text(svixId);
    }
}
