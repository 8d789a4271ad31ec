using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.UnitTests.Signatures;

public sealed class SvixSignerTests
{
    [Fact]
    public void Signs_the_published_svix_example_exactly()
    {
        var keys = WebhookSigningKeys.Parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        var signature = SvixSigner.Sign(keys, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, """{"test": 2432232314}"""u8);

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void Signs_with_the_first_of_several_keys()
    {
        var first = RandomNumberGenerator.GetBytes(32);
        var keys = WebhookSigningKeys.Parse($"whsec_{Convert.ToBase64String(first)} whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}");

        Assert.Equal(SvixSigner.Sign(first, "msg_1", 1, "{}"u8), SvixSigner.Sign(keys, "msg_1", 1, "{}"u8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2661)]
    [InlineData(65_537)]
    [InlineData(2 * 1024 * 1024)]
    public void Random_bodies_round_trip_and_match_a_naive_implementation(int size)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var body = RandomNumberGenerator.GetBytes(size);
        var id = "msg_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + "_\u00e9\u6f22";
        var now = 1_752_492_993L;
        var verifier = new SvixSignatureVerifier(WebhookSigningKeys.Parse(Convert.ToBase64String(key)), new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(now)));

        var signature = SvixSigner.Sign(key, id, now, body);

        Assert.Equal(NaiveSignature(key, id, now, body), signature);
        Assert.Equal(SvixVerificationResult.Verified, verifier.Verify(id, now.ToString(), signature, body));
        if (size > 0)
        {
            body[Random.Shared.Next(size)] ^= 0x20;
            Assert.Equal(SvixVerificationResult.InvalidSignature, verifier.Verify(id, now.ToString(), signature, body));
        }
    }

    private static string NaiveSignature(byte[] key, string id, long timestamp, byte[] body)
    {
        byte[] content = [.. Encoding.UTF8.GetBytes($"{id}.{timestamp}."), .. body];
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }
}
