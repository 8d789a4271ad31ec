using Npgsql;
using PhonicAspire.Tests.Infrastructure;

namespace PhonicAspire.Tests.Stack;

/// <summary>What the stack's PostgreSQL server was told, asked of the server itself.</summary>
[Collection(StackCollection.Name)]
public sealed class PostgresSettingsTests(PhonicStackFixture stack)
{
    [Fact]
    public async Task The_local_postgres_starts_the_writeback_of_each_connections_writes_every_256_kB()
    {
        await using var connection = await stack.OpenDatabaseAsync();
        await using var command = new NpgsqlCommand("SHOW backend_flush_after", connection);

        Assert.Equal("256kB", await command.ExecuteScalarAsync());
    }
}
