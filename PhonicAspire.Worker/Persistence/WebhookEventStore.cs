using Npgsql;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Persistence.Staging;
using PhonicAspire.Worker.Phonic;

namespace PhonicAspire.Worker.Persistence;

/// <summary>
/// Stores batches of webhooks and applies them to their conversations, idempotently on svix id, in one
/// transaction per batch: the deliveries are copied into webhook_events, their conversation updates into staging
/// tables, and a few set-based statements merge those into the conversation tables.
/// </summary>
public sealed partial class WebhookEventStore(NpgsqlDataSource database, TimeProvider timeProvider, ILogger<WebhookEventStore> logger)
{
    // Each further attempt follows a concurrent worker having stored one of the batch's svix ids first, which
    // the attempt then sees; more than a few in a row would mean something else is wrong.
    private const int AttemptsAgainstConcurrentStores = 3;

    /// <summary>Stores the whole batch or nothing; throws when the database fails.</summary>
    public async Task<BatchStoreResult> StoreBatchAsync(IReadOnlyList<QueuedDelivery> batch, CancellationToken cancellationToken)
    {
        var (candidates, repeatedInBatch) = SplitRepeats(batch);
        if (candidates.Count == 0)
        {
            return new BatchStoreResult([], repeatedInBatch);
        }

        var storedAt = timeProvider.GetUtcNow().ToUniversalTime();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // A retry after a lost commit acknowledgement finds the batch stored and reports duplicates,
                // which is still the truth about the database.
                var alreadyStored = await StoreAsync(candidates, storedAt, keep: true, cancellationToken).ConfigureAwait(false);
                return new BatchStoreResult(
                    [.. candidates.Where(received => !alreadyStored.Contains(received.SvixId))],
                    [.. candidates.Select(received => received.SvixId).Where(alreadyStored.Contains), .. repeatedInBatch]);
            }
            catch (PostgresException exception) when (
                exception is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: WebhookEventCommands.PrimaryKey }
                && attempt < AttemptsAgainstConcurrentStores)
            {
                // Another worker stored one of these svix ids between the check and the copy; the next attempt
                // finds it stored and reports it as a duplicate.
            }
        }
    }

    /// <summary>
    /// Runs everything that storing the delivery would, then rolls it back: whether PostgreSQL would take it now,
    /// leaving no rows. Throws what storing it would.
    /// </summary>
    public async Task StoreAndRollBackAsync(QueuedDelivery delivery, CancellationToken cancellationToken) =>
        await StoreAsync([delivery], timeProvider.GetUtcNow().ToUniversalTime(), keep: false, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// One delivery per svix id, the rest reported as duplicates; an operator's requeue before any other, which a
    /// redelivery of its event read into the same batch (stored once, not acknowledged before a crash) would otherwise
    /// take for a duplicate with it.
    /// </summary>
    private static (List<QueuedDelivery> Candidates, List<string> RepeatedInBatch) SplitRepeats(IReadOnlyList<QueuedDelivery> batch)
    {
        var candidates = new List<QueuedDelivery>(batch.Count);
        var repeatedInBatch = new List<string>();
        var seen = new Dictionary<string, int>(batch.Count, StringComparer.Ordinal);
        foreach (var received in batch)
        {
            if (seen.TryAdd(received.SvixId, candidates.Count))
            {
                candidates.Add(received);
                continue;
            }

            repeatedInBatch.Add(received.SvixId);
            if (received.Reprocess)
            {
                candidates[seen[received.SvixId]] = received;
            }
        }

        return (candidates, repeatedInBatch);
    }

    private async Task<HashSet<string>> StoreAsync(List<QueuedDelivery> candidates, DateTimeOffset storedAt, bool keep, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var merge = ConversationMerge.Instance;
        var alreadyStored = await ReadyAsync(connection, merge, candidates, cancellationToken).ConfigureAwait(false);
        var copier = new BatchCopier(connection, merge);
        // Parsed while copying, so the client's parsing overlaps PostgreSQL's; a body is parsed only when new.
        // Copied in svix id order so that workers copying overlapping batches wait for each other instead of
        // deadlocking.
        var updates = await copier.CopyWebhookEventsAsync(
            candidates
                .Where(received => !alreadyStored.Contains(received.SvixId))
                .OrderBy(received => received.SvixId, StringComparer.Ordinal)
                .Select(received => new StagedWebhook(received, PhonicEventParser.Parse(received.Body, received.EventType))),
            storedAt,
            cancellationToken).ConfigureAwait(false);

        var stagedSinceVacuum = 0L;
        var committed = false;
        if (updates.Count > 0)
        {
            await copier.CopyUpdatesAsync(updates, cancellationToken).ConfigureAwait(false);
            stagedSinceVacuum = await MergeAsync(connection, merge, updates, commit: keep, cancellationToken).ConfigureAwait(false);
            committed = keep;
        }

        if (!keep)
        {
            await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (!committed)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        // A rollback undoes the count of what it staged but not the pages its rows took.
        if (stagedSinceVacuum > StagingTables.VacuumAfterBytes || (!keep && updates.Count > 0))
        {
            await VacuumStagingTablesAsync(connection, cancellationToken).ConfigureAwait(false);
        }

        return alreadyStored;
    }

    /// <summary>
    /// Outside the batch's transaction, which VACUUM cannot run in, and after its outcome: the batch is decided, so
    /// neither a failure here nor a stop fails it. Either leaves the count past the limit for the connection's next
    /// batch to vacuum; a broken connection takes its session's tables with it. The batch that runs it is acknowledged
    /// after it, and its events' receipt-to-commit measure includes it: a few milliseconds, once in a hundred batches
    /// or more.
    /// </summary>
    private async Task VacuumStagingTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(connection, StagingTables.Vacuum, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, StagingTables.ResetCount, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (NpgsqlException exception)
        {
            LogVacuumFailed(logger, exception);
        }
    }

    /// <summary>
    /// The transaction's first exchange: takes out the rows an operator requeued, readies the staging tables and
    /// returns which of the candidates' svix ids webhook_events already holds.
    /// </summary>
    private static async Task<HashSet<string>> ReadyAsync(
        NpgsqlConnection connection, ConversationMerge merge, List<QueuedDelivery> candidates, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        if (candidates.Where(received => received.Reprocess).Select(received => received.SvixId).ToArray() is { Length: > 0 } reprocessed)
        {
            // Requeued by an operator: the earlier row goes, in this transaction, and the event is stored anew.
            batch.BatchCommands.Add(new NpgsqlBatchCommand(WebhookEventCommands.DeleteForReprocessing)
            {
                Parameters = { new NpgsqlParameter { Value = reprocessed } },
            });
        }

        foreach (var statement in merge.Tables.Create)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
        }

        // Last, so that the reader's rows are its own: the statements before it return none.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(WebhookEventCommands.SelectStored)
        {
            Parameters = { new NpgsqlParameter { Value = candidates.Select(received => received.SvixId).ToArray() } },
        });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var stored = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            stored.Add(reader.GetString(0));
        }

        return stored;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The merge, then the staging tables emptied for the connection's next batch, then the count of what it staged
    /// since their last VACUUM, which it returns, then, when the batch is kept, the commit: one exchange with PostgreSQL
    /// for all of them. A statement that fails skips those after it, the commit among them, and leaves the transaction
    /// to be rolled back.
    /// </summary>
    private static async Task<long> MergeAsync(
        NpgsqlConnection connection, ConversationMerge merge, List<StagedUpdate> updates, bool commit, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var statement in merge.Statements(updates.Select(update => update.Projection).ToHashSet()).Concat(StagingTables.Empty))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand(StagingTables.CountStaged)
        {
            Parameters = { new NpgsqlParameter<long> { TypedValue = updates.Sum(update => update.Bytes) } },
        });
        if (commit)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var stagedSinceVacuum = reader.GetInt64(0);
        // Every answer is read here, the commit's last, so that a failure of any is thrown: disposing the reader would
        // read them too, but let a timeout or a cancellation pass as though the commit had been answered.
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
        }

        return stagedSinceVacuum;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vacuuming a connection's staging tables failed; its next batch tries again")]
    private static partial void LogVacuumFailed(ILogger logger, Exception exception);
}
