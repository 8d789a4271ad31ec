using System.Text;
using Microsoft.EntityFrameworkCore;
using PhonicAspire.Tests.Infrastructure;
using static PhonicAspire.Testing.SamplePayloads;
using static PhonicAspire.Tests.Storage.Deliveries;

namespace PhonicAspire.Tests.Storage;

/// <summary>
/// Phonic's own examples put <c>Authorization: Bearer …</c> in a tool call's <c>endpoint_headers</c>. Queryable
/// columns keep the header names and say <c>[redacted]</c> for credential values; the raw body stays exactly as
/// received.
/// </summary>
public sealed class CredentialStorageTests(PhonicStackFixture stack) : StorageTests(stack)
{
    private const string Headers =
        """{"Authorization":"Bearer sk-live-abc123","X-Api-Key":"key-value-456","Cookie":"session=789","X-Session-Token":"tok-000","Client-Secret":"shh-111","X-Password":"pw-222","Content-Type":"application/json","X-Request-Id":"req-333","X-Empty-Token":null}""";

    private static readonly string[] Credentials = ["sk-live-abc123", "key-value-456", "session=789", "tok-000", "shh-111", "pw-222"];

    [Fact]
    public async Task Credential_header_values_are_redacted_in_every_queryable_column_and_kept_in_the_raw_body()
    {
        var conversationId = NewConversationId();
        var body = Replace(Sample(Ended, conversationId), "\"endpoint_headers\":{\"Authorization\":null}", $"\"endpoint_headers\":{Headers}");
        var delivery = Delivery(body, "conversation.ended");

        await Harness.StoreAsync(delivery);

        var stored = await Harness.QueryAsync(context => context.WebhookEvents.SingleAsync(row => row.SvixId == delivery.SvixId));
        Assert.Equal(body, stored.RawBody);
        Assert.Null(stored.ParseError);
        var toolCall = await Harness.QueryAsync(context => context.ToolCalls.SingleAsync(row => row.ConversationId == conversationId));
        var conversation = await Harness.QueryAsync(context => context.Conversations.SingleAsync(row => row.Id == conversationId));

        foreach (var column in new[] { stored.Payload!, toolCall.EndpointHeaders!, conversation.Details! })
        {
            Assert.All(Credentials, credential => Assert.DoesNotContain(credential, column, StringComparison.Ordinal));
        }

        JsonAssert.Equivalent(
            """{"Authorization":"[redacted]","X-Api-Key":"[redacted]","Cookie":"[redacted]","X-Session-Token":"[redacted]","Client-Secret":"[redacted]","X-Password":"[redacted]","Content-Type":"application/json","X-Request-Id":"req-333","X-Empty-Token":null}""",
            toolCall.EndpointHeaders!);
        Assert.Contains("[redacted]", stored.Payload!, StringComparison.Ordinal);
        Assert.All(Credentials, credential => Assert.Contains(credential, Encoding.UTF8.GetString(stored.RawBody), StringComparison.Ordinal));
    }
}
