using Npgsql;
using PhonicAspire.Worker.Resilience;
using StackExchange.Redis;

namespace PhonicAspire.UnitTests.Worker;

public sealed class StorageOutageTests
{
    private static PostgresException Postgres(string sqlState, string? constraint = null) =>
        new("message that may quote a phone number +15550100001", "ERROR", "ERROR", sqlState, constraintName: constraint);

    [Theory]
    [InlineData("25006")] // read-only transaction, as after a failover
    [InlineData("42501")] // lost grants
    [InlineData("57014")] // statement timeout behind a lock
    [InlineData("53100")] // disk full
    [InlineData("42P01")] // missing table
    [InlineData("40P01")] // deadlock
    public void A_refusal_of_postgres_own_is_an_outage_that_dead_letters_nothing(string sqlState)
    {
        Assert.True(StorageOutage.IsOutage(Postgres(sqlState)));
        Assert.False(StorageOutage.IsEntryFailure(Postgres(sqlState)));
    }

    [Theory]
    [InlineData("22021")] // invalid byte sequence
    [InlineData("22P02")] // invalid text representation
    [InlineData("23514")] // check violation
    [InlineData("23505", "pk_conversations")]
    [InlineData("54000")] // program limit exceeded
    public void A_failure_of_the_entry_data_can_be_pinned_on_the_entry(string sqlState, string? constraint = null)
    {
        Assert.False(StorageOutage.IsOutage(Postgres(sqlState, constraint)));
        Assert.True(StorageOutage.IsEntryFailure(Postgres(sqlState, constraint)));
    }

    [Fact]
    public void A_svix_id_another_worker_stored_first_is_retried_not_dead_lettered() =>
        Assert.True(StorageOutage.IsOutage(Postgres("23505", "pk_webhook_events")));

    [Fact]
    public void The_description_names_the_constraint_so_refusals_by_different_constraints_are_told_apart() =>
        Assert.Equal("PostgresException (SQLSTATE 23514, constraint ck_hand_added)", StorageOutage.Describe(Postgres("23514", "ck_hand_added")));

    [Fact]
    public void The_description_keeps_the_sqlstate_and_never_the_message() =>
        Assert.Equal("PostgresException (SQLSTATE 25006)", StorageOutage.Describe(new InvalidOperationException("wrapped", Postgres("25006"))));

    [Theory]
    [InlineData("WRONGTYPE Operation against a key holding the wrong kind of value", "RedisServerException (WRONGTYPE)")]
    [InlineData("NOPERM this user has no permissions to run the 'xadd' command", "RedisServerException (NOPERM)")]
    [InlineData("something without a code", "RedisServerException")]
    public void The_description_of_a_redis_refusal_keeps_its_error_code_and_never_the_message(string message, string description) =>
        Assert.Equal(description, StorageOutage.Describe(new RedisServerException(message)));
}
