using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace PhonicAspire.Webhooks.Svix;

/// <summary>
/// Checks a delivery's Svix / Standard Webhooks signature: the timestamp first, so a replayed old delivery costs no
/// hashing, then the HMAC of <c>{id}.{timestamp}.{body}</c> under each configured key against every <c>v1</c> entry.
/// Thread-safe; register it as a singleton.
/// </summary>
public sealed class SvixSignatureVerifier(WebhookSigningKeys keys, TimeProvider timeProvider)
{
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(300);

    // Real values are a few dozen characters. The limits keep a hostile request from making us scan megabytes.
    public const int MaxMessageIdLength = 1024;
    public const int MaxSignatureHeaderLength = 8 * 1024;

    private const string SignaturePrefix = SvixSigner.Version + ",";

    /// <summary>
    /// What can be judged before the body arrives: the three headers are present and sane, and the timestamp is
    /// inside the tolerance. Null when they are; otherwise why not.
    /// </summary>
    public SvixVerificationResult? CheckHeaders(string? messageId, string? timestamp, string? signatureHeader)
    {
        if (string.IsNullOrEmpty(messageId) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatureHeader))
        {
            return SvixVerificationResult.MissingHeaders;
        }

        // In UTF-8 bytes, as it is signed and stored: the id is the stored row's key, and 1,024 characters of three
        // bytes each would be more than PostgreSQL indexes.
        if (Encoding.UTF8.GetByteCount(messageId) > MaxMessageIdLength
            || signatureHeader.Length > MaxSignatureHeaderLength
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var sentAt))
        {
            return SvixVerificationResult.MalformedHeaders;
        }

        // Whole seconds, truncated, as the Svix libraries compare.
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var tolerance = (long)Tolerance.TotalSeconds;
        if (sentAt < now - tolerance)
        {
            return SvixVerificationResult.TimestampTooOld;
        }

        return sentAt > now + tolerance ? SvixVerificationResult.TimestampTooNew : null;
    }

    public SvixVerificationResult Verify(string? messageId, string? timestamp, string? signatureHeader, ReadOnlySpan<byte> body)
    {
        if (CheckHeaders(messageId, timestamp, signatureHeader) is { } problem)
        {
            return problem;
        }

        using var content = new SignedContent(messageId!, timestamp, body);
        Span<char> expected = stackalloc char[SvixSigner.SignatureLength];
        for (var i = 0; i < keys.Count; i++)
        {
            SvixSigner.WriteSignature(keys[i], content.Bytes, expected);
            if (AnyEntryMatches(signatureHeader, expected))
            {
                return SvixVerificationResult.Verified;
            }
        }

        return SvixVerificationResult.InvalidSignature;
    }

    /// <summary>
    /// Compares each entry's base64 text with the canonical encoding of the expected HMAC, as Svix's C# and
    /// JavaScript libraries do: nothing is decoded per entry, and variants a lenient decoder would accept (altered
    /// padding bits, embedded whitespace) do not match. An entry that is not valid base64 of 32 bytes cannot equal
    /// the canonical text, so it simply does not match.
    /// </summary>
    private static bool AnyEntryMatches(ReadOnlySpan<char> header, ReadOnlySpan<char> expected)
    {
        foreach (var range in header.Split(' '))
        {
            var entry = header[range];
            if (entry.StartsWith(SignaturePrefix, StringComparison.Ordinal)
                && CryptographicOperations.FixedTimeEquals(
                    MemoryMarshal.AsBytes(entry[SignaturePrefix.Length..]),
                    MemoryMarshal.AsBytes(expected)))
            {
                return true;
            }
        }

        return false;
    }
}
