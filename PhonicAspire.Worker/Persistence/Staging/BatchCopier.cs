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
        var rows = new BinaryCopyRows();
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
                updates.Add(merge.Stage(rows, received.SvixId, phonicEvent.EventType!, phonicEvent.ConversationId!, phonicEvent.CreatedAt, update));
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        return updates;
    }

    /// <summary>
    /// Copies what each event changes in its conversation into staged_rows (<see cref="StagingTables"/>): its
    /// conversation columns, and the turns and tool calls of those that carry them.
    /// </summary>
    public Task CopyUpdatesAsync(List<StagedUpdate> updates, CancellationToken cancellationToken) =>
        BinaryCopyRows.CopyAsync(connection, merge.Tables.Copy, updates.Select(update => update.Rows), cancellationToken);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : class =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct =>
        value is { } present ? importer.WriteAsync(present, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
