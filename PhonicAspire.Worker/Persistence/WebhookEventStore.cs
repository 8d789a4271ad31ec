using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using PhonicAspire.Worker.Phonic;
using PhonicAspire.Worker.Persistence.Staging;

namespace PhonicAspire.Worker.Persistence;

/// <summary>
/// Stores batches of webhooks and applies them to their conversations, idempotently on svix id. A batch is
/// copied into staging tables and merged with a few set-based statements, all in one transaction.
/// </summary>
public sealed class WebhookEventStore(PhonicDbContext context, TimeProvider timeProvider)
{
    /// <summary>Stores the whole batch or nothing; throws when the database fails.</summary>
    public async Task<BatchStoreResult> StoreBatchAsync(IReadOnlyList<ReceivedWebhook> batch, CancellationToken cancellationToken)
    {
        var (staged, repeatedInBatch) = Stage(batch);
        if (staged.Count == 0)
        {
            return new BatchStoreResult([], repeatedInBatch);
        }

        var storedAt = timeProvider.GetUtcNow();
        // A retry after a lost commit acknowledgement finds its events stored and reports them as duplicates,
        // which is still the truth about the database.
        var alreadyStored = await context.Database.CreateExecutionStrategy().ExecuteAsync(
            (staged, storedAt),
            (_, state, token) => MergeAsync(state.staged, state.storedAt, token),
            verifySucceeded: null,
            cancellationToken).ConfigureAwait(false);

        var stored = staged.Select(webhook => webhook.Received.SvixId).Where(svixId => !alreadyStored.Contains(svixId)).ToList();
        return new BatchStoreResult(stored, [.. alreadyStored, .. repeatedInBatch]);
    }

    private static (List<StagedWebhook> Staged, List<string> RepeatedInBatch) Stage(IReadOnlyList<ReceivedWebhook> batch)
    {
        var staged = new List<StagedWebhook>(batch.Count);
        var repeatedInBatch = new List<string>();
        var seen = new HashSet<string>(batch.Count, StringComparer.Ordinal);
        foreach (var received in batch)
        {
            if (!seen.Add(received.SvixId))
            {
                repeatedInBatch.Add(received.SvixId);
                continue;
            }

            staged.Add(new StagedWebhook(staged.Count, received, PhonicEventParser.Parse(received.Body, received.EventType)));
        }

        return (staged, repeatedInBatch);
    }

    private async Task<HashSet<string>> MergeAsync(List<StagedWebhook> staged, DateTimeOffset storedAt, CancellationToken cancellationToken)
    {
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var connection = (NpgsqlConnection)context.Database.GetDbConnection();
        var npgsqlTransaction = (NpgsqlTransaction)transaction.GetDbTransaction();

        await using (var create = new NpgsqlCommand(StagingTables.Create, connection, npgsqlTransaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await new StagingWriter(connection).WriteAsync(staged, cancellationToken).ConfigureAwait(false);

        var alreadyStored = new HashSet<string>(StringComparer.Ordinal);
        await using (var merge = MergeBatch(connection, npgsqlTransaction, storedAt))
        await using (var reader = await merge.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                alreadyStored.Add(reader.GetString(0));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return alreadyStored;
    }

    private static NpgsqlBatch MergeBatch(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset storedAt) => new(connection, transaction)
    {
        BatchCommands =
        {
            new NpgsqlBatchCommand(MergeStatements.InsertWebhookEvents) { Parameters = { new NpgsqlParameter { Value = storedAt.ToUniversalTime() } } },
            new NpgsqlBatchCommand(MergeStatements.UpsertEnded),
            new NpgsqlBatchCommand(MergeStatements.DeleteReplacedItems),
            new NpgsqlBatchCommand(MergeStatements.InsertItems),
            new NpgsqlBatchCommand(MergeStatements.InsertToolCalls),
            new NpgsqlBatchCommand(MergeStatements.UpsertAnalysis),
            new NpgsqlBatchCommand(MergeStatements.UpsertTransferred),
        },
    };
}
