using Npgsql;
using PhonicAspire.Webhooks;

namespace PhonicAspire.Worker.Persistence;

/// <summary>
/// Reads stored webhooks back as they were received, for an operator to requeue them (<c>phonic requeue</c>):
/// by svix id, or by when the API received them.
/// </summary>
public static class StoredWebhookReader
{
    private const string Columns = "svix_id, event_type, received_at, raw_body";

    internal const string ReceivedBetweenSql =
        $"SELECT {Columns} FROM webhook_events WHERE received_at >= $1 AND received_at < $2 ORDER BY received_at";

    public static IAsyncEnumerable<QueuedDelivery> BySvixIdAsync(NpgsqlDataSource database, IReadOnlyCollection<string> svixIds, CancellationToken cancellationToken) =>
        ReadAsync(database, $"SELECT {Columns} FROM webhook_events WHERE svix_id = ANY ($1) ORDER BY received_at", [svixIds.ToArray()], cancellationToken);

    /// <summary>Received at or after <paramref name="from"/> and before <paramref name="to"/>.</summary>
    public static IAsyncEnumerable<QueuedDelivery> ReceivedBetweenAsync(NpgsqlDataSource database, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        ReadAsync(database, ReceivedBetweenSql,
            // Npgsql writes a timestamptz only from a time at offset 0; an operator gives theirs in any.
            [from.ToUniversalTime(), to.ToUniversalTime()], cancellationToken);

    private static async IAsyncEnumerable<QueuedDelivery> ReadAsync(
        NpgsqlDataSource database, string sql, object[] parameters, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new QueuedDelivery(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                ConversationId: null,
                reader.GetFieldValue<DateTimeOffset>(2),
                reader.GetFieldValue<byte[]>(3),
                Reprocess: true);
        }
    }
}
