using Microsoft.EntityFrameworkCore;
using Npgsql;
using PhonicAspire.Tests.Infrastructure;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// Two analyses of one conversation with the same <c>created_at</c>: the one with the bytewise larger svix id wins in
/// whichever order they arrive, also where the svix id columns sort by another collation than the test cluster's C
/// (ICU's puts "msg_a…" before "msg_B…", bytewise it is after).
/// </summary>
public sealed class VersionTieTests(PhonicStackFixture stack) : StorageTests(stack)
{
    [Fact]
    public async Task A_created_at_tie_is_broken_by_the_bytewise_larger_svix_id_whatever_the_columns_collation()
    {
        await using var connection = await Stack.OpenDatabaseAsync();
        await AlterCollationAsync(connection, "\"und-x-icu\"");
        try
        {
            foreach (var order in new[] { new[] { 0, 1 }, [1, 0] })
            {
                var conversationId = NewConversationId();
                var body = Sample(Analysis, conversationId);
                var lower = Delivery(Replace(body, "\"interruptions_count\":", "\"interruptions_count\":10"), svixId: $"msg_B{Guid.NewGuid():N}");
                var higher = Delivery(Replace(body, "\"interruptions_count\":", "\"interruptions_count\":20"), svixId: $"msg_a{Guid.NewGuid():N}");
                var deliveries = new[] { lower, higher };
                foreach (var index in order)
                {
                    await Harness.StoreAsync(deliveries[index]);
                }

                var winner = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));
                Assert.Equal(higher.SvixId, winner.AnalysisEventSvixId);
            }
        }
        finally
        {
            await AlterCollationAsync(connection, "\"default\"");
        }
    }

    private static async Task AlterCollationAsync(NpgsqlConnection connection, string collation)
    {
        await using var alter = new NpgsqlCommand(
            $"ALTER TABLE conversations ALTER COLUMN analysis_event_svix_id TYPE text COLLATE {collation}", connection);
        await alter.ExecuteNonQueryAsync();
    }
}
