using Npgsql;
using NpgsqlTypes;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>Writes a batch with binary COPY, the fastest way rows reach PostgreSQL.</summary>
internal sealed class BatchCopier(NpgsqlConnection connection, ConversationMerge merge)
{
    /// <summary>
    /// Copies the deliveries into webhook_events as <paramref name="webhooks"/> yields them, so that parsing the
    /// next body overlaps PostgreSQL's work on the previous one; returns the conversation updates of those copied.
    /// </summary>
    public async Task<List<StagedUpdate>> CopyWebhookEventsAsync(
        IEnumerable<StagedWebhook> webhooks, DateTimeOffset storedAt, CancellationToken cancellationToken)
    {
        var updates = new List<StagedUpdate>();
        await using var importer = await connection.BeginBinaryImportAsync(WebhookEventCommands.Copy, cancellationToken).ConfigureAwait(false);
        foreach (var webhook in webhooks)
        {
            var (received, phonicEvent) = webhook;
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(received.SvixId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, phonicEvent.EventType, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, phonicEvent.ConversationId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, phonicEvent.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(received.ReceivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(storedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(received.Body, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, phonicEvent.Payload, NpgsqlDbType.Jsonb, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, phonicEvent.ParseError, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            if (phonicEvent.Update is { } update)
            {
                updates.Add(new StagedUpdate(received.SvixId, phonicEvent.EventType!, phonicEvent.ConversationId!, phonicEvent.CreatedAt, update));
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return updates;
    }

    /// <summary>
    /// Copies what each event changes in its conversation into the staging tables (<see cref="StagingTables"/>): its
    /// conversation columns, and the turns and tool calls of those that carry them.
    /// </summary>
    public async Task CopyUpdatesAsync(List<StagedUpdate> updates, CancellationToken cancellationToken)
    {
        await using (var importer = await connection.BeginBinaryImportAsync(merge.Tables.CopyUpdates, cancellationToken).ConfigureAwait(false))
        {
            foreach (var update in updates)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(update.SvixId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(update.EventType, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(update.ConversationId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(importer, update.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
                await merge.Conversations.WriteAsync(importer, update.Update.Conversation, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        var items = updates.SelectMany(update => update.Update.Items.Select(item => (update.SvixId, item))).ToList();
        if (items.Count == 0)
        {
            return;
        }

        await using (var importer = await connection.BeginBinaryImportAsync(merge.Tables.CopyItems, cancellationToken).ConfigureAwait(false))
        {
            foreach (var (svixId, item) in items)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(svixId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                await merge.Items.WriteAsync(importer, item.Item, cancellationToken).ConfigureAwait(false);
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        if (items.Any(item => item.item.ToolCalls.Count > 0))
        {
            await using var importer = await connection.BeginBinaryImportAsync(merge.Tables.CopyToolCalls, cancellationToken).ConfigureAwait(false);
            foreach (var (svixId, item) in items)
            {
                foreach (var toolCall in item.ToolCalls)
                {
                    await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(svixId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
                    await merge.ToolCalls.WriteAsync(importer, toolCall, cancellationToken).ConfigureAwait(false);
                }
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : class =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct =>
        value is { } present ? importer.WriteAsync(present, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
