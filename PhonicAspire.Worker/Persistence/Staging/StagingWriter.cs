using Npgsql;
using NpgsqlTypes;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>Copies a batch into the staging tables with binary COPY, the fastest way rows reach PostgreSQL.</summary>
internal sealed class StagingWriter(NpgsqlConnection connection)
{
    private const int EndedColumnCount = 20;

    public async Task WriteAsync(IReadOnlyList<StagedWebhook> batch, CancellationToken cancellationToken)
    {
        await WriteEventsAsync(batch, cancellationToken).ConfigureAwait(false);

        var ended = batch.Where(staged => staged.Event.Ended is { Items.Count: > 0 }).ToList();
        if (ended.Count == 0)
        {
            return;
        }

        await WriteItemsAsync(ended, cancellationToken).ConfigureAwait(false);
        if (ended.Any(staged => staged.Event.Ended!.Items.Any(item => item.ToolCalls.Count > 0)))
        {
            await WriteToolCallsAsync(ended, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteEventsAsync(IReadOnlyList<StagedWebhook> batch, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(StagingTables.CopyEvents, cancellationToken).ConfigureAwait(false);
        foreach (var (ordinal, received, phonicEvent) in batch)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(ordinal, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(received.SvixId, NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(importer, phonicEvent.EventType, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(importer, phonicEvent.ConversationId, cancellationToken).ConfigureAwait(false);
            await WriteTimestampAsync(importer, phonicEvent.CreatedAt, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(received.ReceivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken).ConfigureAwait(false);
            await importer.WriteAsync(received.Body, NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
            await WriteJsonbAsync(importer, phonicEvent.Payload, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(importer, phonicEvent.ParseError, cancellationToken).ConfigureAwait(false);
            var updatesConversation = phonicEvent.Ended is not null || phonicEvent.Analysis is not null || phonicEvent.Transfer is not null;
            await importer.WriteAsync(updatesConversation, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
            await WriteEndedColumnsAsync(importer, phonicEvent.Ended, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, phonicEvent.Analysis?.LatenciesMs, NpgsqlDbType.Array | NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
            await WriteNullableAsync(importer, phonicEvent.Analysis?.InterruptionsCount, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
            await WriteTextAsync(importer, phonicEvent.Transfer?.TransferredTo, cancellationToken).ConfigureAwait(false);
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteEndedColumnsAsync(NpgsqlBinaryImporter importer, PhonicConversation? ended, CancellationToken cancellationToken)
    {
        if (ended is null)
        {
            for (var column = 0; column < EndedColumnCount; column++)
            {
                await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        await WriteTextAsync(importer, ended.AgentId, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.AgentName, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.Workspace, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.ProjectId, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.ProjectName, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.ExternalId, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.Origin, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.Model, cancellationToken).ConfigureAwait(false);
        await WriteTimestampAsync(importer, ended.StartedAt, cancellationToken).ConfigureAwait(false);
        await WriteTimestampAsync(importer, ended.EndedAt, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.EndedBy, cancellationToken).ConfigureAwait(false);
        await WriteNullableAsync(importer, ended.DurationMs, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.CallInfo?.FromPhoneNumber, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.CallInfo?.ToPhoneNumber, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.CallInfo?.TwilioCallSid, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.LiveTranscript, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.PostCallTranscript, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.AudioUrl, cancellationToken).ConfigureAwait(false);
        await WriteTextAsync(importer, ended.DefaultLanguage, cancellationToken).ConfigureAwait(false);
        await WriteNullableAsync(importer, ended.AdditionalLanguages, NpgsqlDbType.Array | NpgsqlDbType.Text, cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteItemsAsync(List<StagedWebhook> ended, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(StagingTables.CopyItems, cancellationToken).ConfigureAwait(false);
        foreach (var staged in ended)
        {
            foreach (var item in staged.Event.Ended!.Items)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(staged.Ordinal, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await importer.WriteAsync(item.ItemIdx, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(importer, item.Id, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(importer, item.Role, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(importer, item.LiveTranscript, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(importer, item.PostCallTranscript, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(importer, item.RedactedTranscript, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(importer, item.DurationMs, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                await WriteTimestampAsync(importer, item.StartedAt, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(importer, item.VoiceId, cancellationToken).ConfigureAwait(false);
                await WriteNullableAsync(importer, item.AudioSpeed, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                await WriteTextAsync(importer, item.SystemPrompt, cancellationToken).ConfigureAwait(false);
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteToolCallsAsync(List<StagedWebhook> ended, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(StagingTables.CopyToolCalls, cancellationToken).ConfigureAwait(false);
        foreach (var staged in ended)
        {
            foreach (var item in staged.Event.Ended!.Items)
            {
                foreach (var toolCall in item.ToolCalls)
                {
                    await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(staged.Ordinal, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(item.ItemIdx, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(item.Position, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await importer.WriteAsync(toolCall.Position, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, toolCall.Id, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, toolCall.ToolId, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, toolCall.ToolName, cancellationToken).ConfigureAwait(false);
                    await WriteNullableAsync(importer, toolCall.TimedOut, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, toolCall.ErrorMessage, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, toolCall.EndpointMethod, cancellationToken).ConfigureAwait(false);
                    await WriteTextAsync(importer, toolCall.EndpointUrl, cancellationToken).ConfigureAwait(false);
                    await WriteNullableAsync(importer, toolCall.EndpointTimeoutMs, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                    await WriteTimestampAsync(importer, toolCall.EndpointCalledAt, cancellationToken).ConfigureAwait(false);
                    await WriteNullableAsync(importer, toolCall.ResponseStatusCode, NpgsqlDbType.Integer, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter importer, string? text, CancellationToken cancellationToken) =>
        WriteNullableAsync(importer, text, NpgsqlDbType.Text, cancellationToken);

    private static Task WriteTimestampAsync(NpgsqlBinaryImporter importer, DateTimeOffset? timestamp, CancellationToken cancellationToken) =>
        WriteNullableAsync(importer, timestamp?.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);

    private static Task WriteJsonbAsync(NpgsqlBinaryImporter importer, ReadOnlyMemory<byte>? json, CancellationToken cancellationToken) =>
        WriteNullableAsync(importer, json, NpgsqlDbType.Jsonb, cancellationToken);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : class =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter importer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
        where T : struct =>
        value is { } present ? importer.WriteAsync(present, type, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
