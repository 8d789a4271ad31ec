using Npgsql;
using PhonicAspire.Tests.Infrastructure;

namespace PhonicAspire.Tests.Stack;

/// <summary>What the stack's PostgreSQL server was told, asked of the server itself.</summary>
[Collection(StackCollection.Name)]
public sealed class PostgresSettingsTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task The_local_postgres_starts_the_writeback_of_each_connections_writes_every_256_kB() =>
        Assert.Equal("256kB", await QueryAsync("SHOW backend_flush_after"));

    [Fact]
    public async Task The_local_postgres_creates_each_new_wal_segment_without_first_writing_it_full_of_zeros() =>
        Assert.Equal("off", await QueryAsync("SHOW wal_init_zero"));

    [Fact]
    public async Task The_local_postgres_cluster_is_utf8_with_the_c_locale_as_a_containers_one_is() =>
        Assert.Equal("UTF8 C C", await QueryAsync(
            "SELECT pg_encoding_to_char(encoding) || ' ' || datcollate || ' ' || datctype FROM pg_database WHERE datname = current_database()"));

    private async Task<object?> QueryAsync(string sql)
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
