using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Webhooks;
using PhonicAspire.Webhooks.Svix;
using PhonicAspire.Worker.Forwarding;

namespace PhonicAspire.UnitTests.Worker;

public sealed class StandardWebhookRequestTests
{
    [Fact]
    public async Task While_the_signing_secret_is_rotated_a_destination_that_still_has_the_old_one_verifies_the_forward()
    {
        var (newSecret, oldSecret) = (NewSecret(), NewSecret());
        var now = DateTimeOffset.FromUnixTimeSeconds(1_752_492_993);
        var delivery = new QueuedDelivery("msg_rotated", "conversation.ended", "conv_1", now, """{"event_type":"conversation.ended"}"""u8.ToArray());

        using var request = StandardWebhookRequest.Create(
            new Uri("http://destination.example/hooks"), delivery, WebhookSigningKeys.Parse($"{newSecret} {oldSecret}"), now);

        var body = await request.Content!.ReadAsByteArrayAsync();
        foreach (var destinationSecret in (string[])[oldSecret, newSecret])
        {
            var verifier = new SvixSignatureVerifier(WebhookSigningKeys.Parse(destinationSecret), new FakeTimeProvider(now));
            Assert.Equal(SvixVerificationResult.Verified, verifier.Verify(
                Header(request, SvixHeaders.StandardId), Header(request, SvixHeaders.StandardTimestamp), Header(request, SvixHeaders.StandardSignature), body));
        }
    }

    private static string NewSecret() => $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";

    private static string Header(HttpRequestMessage request, string name) => string.Join(",", request.Headers.GetValues(name));
}
