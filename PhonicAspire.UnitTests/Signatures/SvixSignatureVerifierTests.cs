using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.UnitTests.Signatures;

public sealed class SvixSignatureVerifierTests
{
    private const long Now = 1_752_492_993;
    private const string MessageId = "msg_2zQ3BvJ4l0Ykq6N9pZCwHbXjT1e";
    private const string Timestamp = "1752492993";

    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"event_type":"conversation.ended","data":{}}""");

    [Fact]
    public void Rotation_accepts_a_delivery_signed_with_the_second_secret_only()
    {
        var (oldSecret, _) = NewSecret();
        var (newSecret, newKey) = NewSecret();
        var signature = SvixSigner.Sign(newKey, MessageId, Now, Body);

        var both = Verifier($"{oldSecret},{newSecret}");
        var oldOnly = Verifier(oldSecret);

        Assert.Equal(SvixVerificationResult.Verified, both.Verify(MessageId, Timestamp, signature, Body));
        Assert.Equal(SvixVerificationResult.InvalidSignature, oldOnly.Verify(MessageId, Timestamp, signature, Body));
    }

    [Fact]
    public void A_secret_without_the_whsec_prefix_is_the_same_key()
    {
        var (secret, key) = NewSecret();
        var signature = SvixSigner.Sign(key, MessageId, Now, Body);

        Assert.Equal(SvixVerificationResult.Verified, Verifier(secret["whsec_".Length..]).Verify(MessageId, Timestamp, signature, Body));
    }

    [Theory]
    [InlineData("  {0}")]
    [InlineData("{0}   ")]
    [InlineData("v2,abc   {0}  v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")]
    [InlineData("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=  {0} ")]
    public void Extra_spaces_around_and_between_entries_are_tolerated(string headerFormat)
    {
        var (secret, key) = NewSecret();
        var header = string.Format(headerFormat, SvixSigner.Sign(key, MessageId, Now, Body));

        Assert.Equal(SvixVerificationResult.Verified, Verifier(secret).Verify(MessageId, Timestamp, header, Body));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Signature_lines_joined_for_verification_match_on_whichever_line_holds_the_right_entry(int rightLine)
    {
        var (secret, key) = NewSecret();
        string?[] lines = ["v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", "v2,abc v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", ""];
        lines[rightLine] = SvixSigner.Sign(key, MessageId, Now, Body);

        var header = SvixHeaders.JoinSignatureLines(lines);

        Assert.Equal(SvixVerificationResult.Verified, Verifier(secret).Verify(MessageId, Timestamp, header, Body));
        Assert.Equal(SvixVerificationResult.InvalidSignature, Verifier(secret).Verify(MessageId, Timestamp, string.Join(',', lines), Body));
    }

    [Fact]
    public void No_signature_lines_join_to_a_missing_header()
    {
        var (secret, _) = NewSecret();

        Assert.Equal(SvixVerificationResult.MissingHeaders, Verifier(secret).Verify(MessageId, Timestamp, SvixHeaders.JoinSignatureLines(Array.Empty<string?>()), Body));
    }

    [Fact]
    public void A_huge_signature_header_is_malformed_even_if_it_holds_the_right_entry()
    {
        var (secret, key) = NewSecret();
        var signature = SvixSigner.Sign(key, MessageId, Now, Body);
        var header = new StringBuilder(signature);
        while (header.Length < 100 * 1024)
        {
            header.Append(" v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=");
        }

        Assert.Equal(SvixVerificationResult.MalformedHeaders, Verifier(secret).Verify(MessageId, Timestamp, header.ToString(), Body));
    }

    [Fact]
    public void A_signature_header_at_the_length_limit_is_still_checked()
    {
        var (secret, key) = NewSecret();
        var signature = SvixSigner.Sign(key, MessageId, Now, Body);
        var header = signature.PadLeft(SvixSignatureVerifier.MaxSignatureHeaderLength);

        Assert.Equal(SvixVerificationResult.Verified, Verifier(secret).Verify(MessageId, Timestamp, header, Body));
    }

    [Fact]
    public void A_message_id_longer_than_the_limit_is_malformed()
    {
        var (secret, key) = NewSecret();
        var id = new string('m', SvixSignatureVerifier.MaxMessageIdLength + 1);
        var signature = SvixSigner.Sign(key, id, Now, Body);

        Assert.Equal(SvixVerificationResult.MalformedHeaders, Verifier(secret).Verify(id, Timestamp, signature, Body));
    }

    [Fact]
    public void A_message_id_longer_than_the_limit_in_utf8_bytes_is_malformed()
    {
        // The id is the stored row's key: 1,024 characters of three bytes each would be more than PostgreSQL indexes.
        var (secret, key) = NewSecret();
        var id = new string('\u20ac', SvixSignatureVerifier.MaxMessageIdLength / 3 + 1);
        var signature = SvixSigner.Sign(key, id, Now, Body);

        Assert.Equal(SvixVerificationResult.MalformedHeaders, Verifier(secret).Verify(id, Timestamp, signature, Body));
    }

    [Fact]
    public void A_v1_entry_of_the_wrong_length_does_not_match()
    {
        var (secret, key) = NewSecret();
        var hash = Convert.FromBase64String(SvixSigner.Sign(key, MessageId, Now, Body)["v1,".Length..]);
        var header = string.Join(' ',
            "v1," + Convert.ToBase64String(hash[..31]),
            "v1," + Convert.ToBase64String([.. hash, 0]),
            "v1," + Convert.ToBase64String(hash).TrimEnd('='));

        Assert.Equal(SvixVerificationResult.InvalidSignature, Verifier(secret).Verify(MessageId, Timestamp, header, Body));
    }

    [Fact]
    public void The_right_hash_under_another_version_or_with_altered_padding_bits_does_not_match()
    {
        var (secret, key) = NewSecret();
        var base64 = SvixSigner.Sign(key, MessageId, Now, Body)["v1,".Length..];
        // The last character before '=' carries two unused bits; decoders ignore them, Svix compares text.
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        var alteredBits = base64[..^2] + alphabet[alphabet.IndexOf(base64[^2]) ^ 1] + "=";
        Assert.Equal(Convert.FromBase64String(base64), Convert.FromBase64String(alteredBits));

        var header = $"v2,{base64} V1,{base64} v1;{base64} v1, {base64} v1,{alteredBits}";

        Assert.Equal(SvixVerificationResult.InvalidSignature, Verifier(secret).Verify(MessageId, Timestamp, header, Body));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData(" ")]
    [InlineData(",,,")]
    [InlineData("v1")]
    [InlineData("v1, ,v1")]
    [InlineData("v1,\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9")]
    public void A_header_of_only_garbage_is_an_invalid_signature(string header)
    {
        var (secret, _) = NewSecret();

        Assert.Equal(SvixVerificationResult.InvalidSignature, Verifier(secret).Verify(MessageId, Timestamp, header, Body));
    }

    [Fact]
    public void An_empty_body_is_signed_and_verified()
    {
        var (secret, key) = NewSecret();
        var signature = SvixSigner.Sign(key, MessageId, Now, []);

        Assert.Equal(SvixVerificationResult.Verified, Verifier(secret).Verify(MessageId, Timestamp, signature, []));
        Assert.Equal(SvixVerificationResult.InvalidSignature, Verifier(secret).Verify(MessageId, Timestamp, signature, "x"u8));
    }

    [Theory]
    [InlineData(null, Timestamp, "v1,x")]
    [InlineData(MessageId, null, "v1,x")]
    [InlineData(MessageId, Timestamp, null)]
    [InlineData("", Timestamp, "v1,x")]
    [InlineData(MessageId, "", "v1,x")]
    [InlineData(MessageId, Timestamp, "")]
    public void An_absent_or_empty_header_is_missing(string? id, string? timestamp, string? signature)
    {
        var (secret, _) = NewSecret();

        Assert.Equal(SvixVerificationResult.MissingHeaders, Verifier(secret).Verify(id, timestamp, signature, Body));
    }

    [Theory]
    [InlineData("-1752492993")]
    [InlineData("+1752492993")]
    [InlineData(" 1752492993")]
    [InlineData("1752492993 ")]
    [InlineData("1752492993.0")]
    [InlineData("1,752,492,993")]
    [InlineData("0x687A3A41")]
    [InlineData("99999999999999999999")]
    [InlineData("\u0661\u0667\u0665\u0662")]
    public void A_timestamp_that_is_not_plain_unix_seconds_is_malformed(string timestamp)
    {
        var (secret, _) = NewSecret();

        Assert.Equal(SvixVerificationResult.MalformedHeaders, Verifier(secret).Verify(MessageId, timestamp, "v1,x", Body));
    }

    [Theory]
    [InlineData(-300, SvixVerificationResult.Verified)]
    [InlineData(300, SvixVerificationResult.Verified)]
    [InlineData(-301, SvixVerificationResult.TimestampTooOld)]
    [InlineData(301, SvixVerificationResult.TimestampTooNew)]
    public void The_timestamp_may_be_300_seconds_off_either_way(long offset, SvixVerificationResult expected)
    {
        var (secret, key) = NewSecret();
        var sentAt = Now + offset;
        var signature = SvixSigner.Sign(key, MessageId, sentAt, Body);

        Assert.Equal(expected, Verifier(secret).Verify(MessageId, sentAt.ToString(), signature, Body));
    }

    [Fact]
    public void The_timestamp_is_checked_before_the_signature()
    {
        var (secret, _) = NewSecret();

        Assert.Equal(SvixVerificationResult.TimestampTooOld, Verifier(secret).Verify(MessageId, "1", "garbage", Body));
        Assert.Equal(SvixVerificationResult.TimestampTooNew, Verifier(secret).Verify(MessageId, "9999999999", "garbage", Body));
    }

    private static SvixSignatureVerifier Verifier(string secrets) =>
        new(WebhookSigningKeys.Parse(secrets), new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(Now)));

    private static (string Secret, byte[] Key) NewSecret()
    {
        var key = RandomNumberGenerator.GetBytes(24);
        return ("whsec_" + Convert.ToBase64String(key), key);
    }
}
