using Npgsql;

namespace PhonicAspire.Worker.Persistence;

/// <summary>
/// The schema as EF Core's idempotent script of the migrations in <c>Persistence/Migrations</c>, embedded in the
/// worker (<c>schema.sql</c>; <c>SchemaScriptTests</c> fails when it falls behind the migrations and says how to
/// regenerate it). The EF model and its migrations are how the schema is designed; running the script needs only Npgsql.
/// Loading EF Core to migrate and to read its model cost a worker 20-25 MB: at rest 152 MB with it and 125 MB without;
/// at the peak of <c>scripts/bench --only drain</c>, 178-191 MB with it and 155-167 MB without, runs of the same day.
/// </summary>
internal static class SchemaScript
{
    // Any number every worker agrees on: replicas that start together apply the script one after another.
    internal const long MigrationLock = 0x7068_6f6e_6963_0001;

    public static string Sql { get; } = Read();

    /// <summary>Applies whatever migrations the database lacks, all or none, in one transaction.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // No command timeout for either: a migration that builds an index reads the whole table, which takes longer
        // than any timeout set for the drain's statements, and a replica starting beside it waits as long for the
        // lock. Given up, each would be rolled back and tried again from the start, for ever. The token still stops them.
        await using (var serialize = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection) { CommandTimeout = 0, Parameters = { new NpgsqlParameter { Value = MigrationLock } } })
        {
            await serialize.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var migrate = new NpgsqlCommand(Sql, connection) { CommandTimeout = 0 })
        {
            await migrate.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Read()
    {
        using var stream = typeof(SchemaScript).Assembly.GetManifestResourceStream("schema.sql")
            ?? throw new InvalidOperationException("The worker was built without its schema.sql.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
