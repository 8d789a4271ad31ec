using System.Globalization;
using System.Security.Cryptography;

namespace PhonicAspire.Webhooks.Svix;

/// <summary>
/// Signs a delivery exactly as Svix does, for forwards, tests, benchmarks and the dashboard's test webhook.
/// </summary>
public static class SvixSigner
{
    internal const string Version = "v1";

    /// <summary>The length of a base64 HMAC-SHA256 with its padding.</summary>
    internal const int SignatureLength = 44;

    /// <summary>Returns the <c>svix-signature</c> entry <c>v1,&lt;base64&gt;</c> for one key.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        Span<char> digits = stackalloc char[20];
        timestamp.TryFormat(digits, out var digitCount, provider: CultureInfo.InvariantCulture);

        using var content = new SignedContent(messageId, digits[..digitCount], body);
        Span<char> signature = stackalloc char[SignatureLength];
        WriteSignature(key, content.Bytes, signature);
        return $"{Version},{signature}";
    }

    /// <summary>Signs with the first configured key, the one a sender would use.</summary>
    public static string Sign(WebhookSigningKeys keys, string messageId, long timestamp, ReadOnlySpan<byte> body) =>
        Sign(keys[0], messageId, timestamp, body);

    /// <summary>
    /// One entry per configured key, separated by spaces, as Svix signs while a secret is rotated: a receiver that
    /// has any one of the keys verifies it.
    /// </summary>
    public static string SignWithEach(WebhookSigningKeys keys, string messageId, long timestamp, ReadOnlySpan<byte> body)
    {
        var entries = new string[keys.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = Sign(keys[i], messageId, timestamp, body);
        }

        return string.Join(' ', entries);
    }

    /// <summary>Writes the base64 HMAC-SHA256 of <paramref name="content"/> into exactly 44 chars.</summary>
    internal static void WriteSignature(ReadOnlySpan<byte> key, ReadOnlySpan<byte> content, Span<char> destination)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, content, hash);
        Convert.TryToBase64Chars(hash, destination, out _);
    }
}
