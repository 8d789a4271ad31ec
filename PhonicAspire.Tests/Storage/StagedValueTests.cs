using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using PhonicAspire.Worker.Persistence.Staging;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// The worker writes the staging tables' rows in PostgreSQL's binary format itself (BinaryCopyRows): every kind of
/// value reaches its column as the event holds it, at the edges of its encoding too.
/// </summary>
public sealed class StagedValueTests(PhonicStackFixture stack) : StorageTests(stack)
{
    [Fact]
    public async Task Text_beyond_ascii_times_before_2000_and_numbers_at_their_limits_reach_their_columns_as_sent()
    {
        var conversationId = NewConversationId();
        var body = Encoding.UTF8.GetBytes("""
            {"event_type":"conversation.ended","created_at":"1999-12-31T23:59:59.999999Z","data":{"conversation":{
              "id":"@id","workspace":"café ☕ 𝄞","started_at":"1970-01-01T00:00:00.000001Z",
              "duration_ms":-0.5,"additional_languages":["español","日本語",""],
              "items":[{"item_idx":7,"role":"user","live_transcript":"¿Qué tal? 🙂\n\"quoted\"","started_at":"1899-06-01T12:00:00Z",
                "audio_speed":1e-300,"tool_calls":[{"id":"tc","tool":{"name":"búsqueda"},
                "request_body":{"q":"ñandú","n":[1,2.5,null]},"timed_out":true,
                "endpoint_timeout_ms":-2147483648,"response_status_code":2147483647}]}]}}}
            """.Replace("@id", conversationId, StringComparison.Ordinal));

        await Harness.StoreAsync(Delivery(body));

        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal("café ☕ 𝄞", conversation.Workspace);
        Assert.Equal(DateTimeOffset.Parse("1970-01-01T00:00:00.000001Z"), conversation.StartedAt);
        Assert.Equal(DateTimeOffset.Parse("1999-12-31T23:59:59.999999Z"), conversation.EndedEventCreatedAt);
        Assert.Equal(-0.5, conversation.DurationMs);
        Assert.Equal(new[] { "español", "日本語", "" }, conversation.AdditionalLanguages);
        var item = Assert.Single(await Harness.QueryAsync(context =>
            context.ConversationItems.Where(row => row.ConversationId == conversationId).ToListAsync()));
        Assert.Equal(7, item.ItemIdx);
        Assert.Equal("¿Qué tal? 🙂\n\"quoted\"", item.LiveTranscript);
        Assert.Equal(DateTimeOffset.Parse("1899-06-01T12:00:00Z"), item.StartedAt);
        Assert.Equal(1e-300, item.AudioSpeed);
        var toolCall = Assert.Single(await Harness.QueryAsync(context =>
            context.ToolCalls.Where(row => row.ConversationId == conversationId).ToListAsync()));
        Assert.Equal(7, toolCall.ItemIdx);
        Assert.Equal("búsqueda", toolCall.ToolName);
        JsonAssert.Equivalent("""{"q":"ñandú","n":[1,2.5,null]}""", toolCall.RequestBody);
        Assert.True(toolCall.TimedOut);
        Assert.Equal(int.MinValue, toolCall.EndpointTimeoutMs);
        Assert.Equal(int.MaxValue, toolCall.ResponseStatusCode);
    }

    [Fact]
    public async Task Latencies_that_are_not_numbers_stay_in_their_places_as_nulls()
    {
        var conversationId = NewConversationId();
        var body = Encoding.UTF8.GetBytes("""
            {"event_type":"conversation.analysis","data":{"conversation":{"id":"@id",
              "latencies_ms":[3179,"n/a",null,0.25,-1.5e10],"interruptions_count":0}}}
            """.Replace("@id", conversationId, StringComparison.Ordinal));
        var empty = NewConversationId();
        var emptyBody = Encoding.UTF8.GetBytes("""
            {"event_type":"conversation.analysis","data":{"conversation":{"id":"@id","latencies_ms":[]}}}
            """.Replace("@id", empty, StringComparison.Ordinal));

        await Harness.StoreAsync(Delivery(body), Delivery(emptyBody));

        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
        Assert.Equal([3179, null, null, 0.25, -1.5e10], conversation.LatenciesMs);
        Assert.Equal(0, conversation.InterruptionsCount);
        Assert.Null(conversation.AnalysisEventCreatedAt);
        var emptied = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == empty));
        Assert.Equal(Array.Empty<double?>(), emptied.LatenciesMs);
        Assert.Null(emptied.InterruptionsCount);
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z")]
    public async Task An_event_created_at_the_ends_of_time_reads_the_same_in_its_row_and_its_conversation(string createdAt)
    {
        var conversationId = NewConversationId();
        var delivery = Delivery(Sample(Ended, conversationId, createdAt));

        await Harness.StoreAsync(delivery);

        // Compared in PostgreSQL: Npgsql reads -infinity and the year 1 alike.
        await using var connection = new NpgsqlConnection(await Stack.App.GetConnectionStringAsync("phonicdb"));
        await connection.OpenAsync();
        await using var compare = new NpgsqlCommand(
            "SELECT stored.created_at::text, conversation.ended_event_created_at::text FROM webhook_events AS stored "
            + "JOIN conversations AS conversation ON conversation.ended_event_svix_id = stored.svix_id WHERE stored.svix_id = $1",
            connection)
        {
            Parameters = { new NpgsqlParameter { Value = delivery.SvixId } },
        };
        await using var reader = await compare.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(reader.GetString(0), reader.GetString(1));
    }

    [Fact]
    public async Task A_copy_that_fails_while_its_rows_are_written_leaves_none_of_them_and_raises_its_own_error()
    {
        await using var connection = new NpgsqlConnection(await Stack.App.GetConnectionStringAsync("phonicdb"));
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("CREATE TEMP TABLE copied (value integer)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var rows = new BinaryCopyRows();
        rows.StartRow(1);
        rows.Int32(42);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            BinaryCopyRows.CopyAsync(connection, "COPY copied (value) FROM STDIN (FORMAT BINARY)", RowThenFailure(rows.ToArray()), CancellationToken.None));

        Assert.Equal("the batch failed", failure.Message);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM copied", connection);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    private static IEnumerable<byte[]> RowThenFailure(byte[] row)
    {
        yield return row;
        throw new InvalidOperationException("the batch failed");
    }
}
