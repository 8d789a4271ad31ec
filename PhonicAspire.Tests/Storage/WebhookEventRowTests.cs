using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using static PhonicAspire.Testing.SamplePayloads;

namespace PhonicAspire.Tests.Storage;

/// <summary>How webhook_events keeps a delivery of the size Phonic sends.</summary>
[Collection(StackCollection.Name)]
public sealed class WebhookEventRowTests(PhonicStackFixture stack)
{
    // A row of up to 4 kB stays whole (compressed when longer uncompressed); a value moved out of it would cost TOAST
    // rows and their index entries besides, written and logged on every delivery. By PostgreSQL's default, Phonic's
    // sample of 2.6 kB took two TOAST rows, the documentation's of 1.7 kB one.
    [Theory]
    [InlineData(Ended)]
    [InlineData(EndedDocsSample)]
    public async Task A_sample_delivery_is_kept_whole_in_its_row_with_no_toast_chunks(string sample)
    {
        var body = Read(sample);
        await using var connection = await stack.OpenDatabaseAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var before = await ToastRowsInsertedAsync(connection);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO webhook_events (svix_id, received_at, stored_at, raw_body, payload)
            VALUES ($1, now(), now(), $2, convert_from($2, 'UTF8')::jsonb)
            """,
            connection))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = SignedWebhook.NewSvixId() });
            insert.Parameters.Add(new NpgsqlParameter { Value = body });
            await insert.ExecuteNonQueryAsync();
        }

        var chunks = await ToastRowsInsertedAsync(connection) - before;
        await transaction.RollbackAsync();

        Assert.True(chunks == 0, $"the {body.Length:N0}-byte {sample} took {chunks} TOAST chunks");
    }

    // The counts this connection has not yet reported, its earlier transactions' among them: only their growth within
    // one transaction is the insert's, and none of what the stack stores meanwhile is counted.
    private static async Task<long> ToastRowsInsertedAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT pg_stat_get_xact_tuples_inserted(reltoastrelid) FROM pg_class WHERE oid = 'webhook_events'::regclass", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
