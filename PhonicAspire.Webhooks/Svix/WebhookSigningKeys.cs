using System.Diagnostics.CodeAnalysis;

namespace PhonicAspire.Webhooks.Svix;

/// <summary>
/// The configured signing secrets, decoded once at start-up. Several secrets let a secret be rotated without
/// rejecting deliveries signed with the old one. Error messages name a secret by position only: they end up in
/// logs, and the secret must not.
/// </summary>
public sealed class WebhookSigningKeys
{
    private const string Prefix = "whsec_";

    // Exactly the whitespace Convert's base64 decoder ignores: splitting on less would let two secrets decode as one.
    private const string Separators = ", \t\r\n";

    private readonly byte[][] _keys;

    private WebhookSigningKeys(byte[][] keys) => _keys = keys;

    public int Count => _keys.Length;

    internal ReadOnlySpan<byte> this[int index] => _keys[index];

    /// <summary>
    /// Parses one or more secrets separated by whitespace and/or commas, each <c>whsec_&lt;base64&gt;</c> or bare
    /// base64.
    /// </summary>
    /// <exception cref="FormatException">No secret is given, or one is empty or not valid base64.</exception>
    public static WebhookSigningKeys Parse(string? configured) =>
        TryParse(configured, out var keys, out var error) ? keys : throw new FormatException(error);

    public static bool TryParse(string? configured, [NotNullWhen(true)] out WebhookSigningKeys? keys, out string error)
    {
        var decoded = new List<byte[]>();
        var remaining = configured.AsSpan();
        while (NextSecret(ref remaining) is { IsEmpty: false } secret)
        {
            var position = decoded.Count + 1;
            var hasPrefix = secret.StartsWith(Prefix, StringComparison.Ordinal);
            var encoded = hasPrefix ? secret[Prefix.Length..] : secret;
            var after = hasPrefix ? $" after '{Prefix}'" : "";

            var buffer = new byte[encoded.Length * 3 / 4];
            if (!Convert.TryFromBase64Chars(encoded, buffer, out var written))
            {
                return Fail($"Webhook signing secret #{position} is not valid base64{after}.", out keys, out error);
            }

            if (written == 0)
            {
                return Fail($"Webhook signing secret #{position} is empty{after}.", out keys, out error);
            }

            decoded.Add(buffer[..written]);
        }

        if (decoded.Count == 0)
        {
            return Fail(
                $"No webhook signing secret is configured: expected one or more '{Prefix}<base64>' secrets separated by commas or whitespace.",
                out keys, out error);
        }

        keys = new WebhookSigningKeys([.. decoded]);
        error = "";
        return true;
    }

    private static ReadOnlySpan<char> NextSecret(ref ReadOnlySpan<char> remaining)
    {
        remaining = remaining.TrimStart(Separators);
        var end = remaining.IndexOfAny(Separators);
        if (end < 0)
        {
            end = remaining.Length;
        }

        var secret = remaining[..end];
        remaining = remaining[end..];
        return secret;
    }

    private static bool Fail(string message, out WebhookSigningKeys? keys, out string error)
    {
        keys = null;
        error = message;
        return false;
    }
}
