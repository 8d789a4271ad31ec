namespace PhonicAspire.Webhooks.Svix;

/// <summary>
/// The headers that carry a signed delivery. Svix sends the <c>svix-</c> names; its libraries also accept the
/// Standard Webhooks names, so senders that follow that spec work too.
/// </summary>
public static class SvixHeaders
{
    public const string Id = "svix-id";
    public const string Timestamp = "svix-timestamp";
    public const string Signature = "svix-signature";

    public const string StandardId = "webhook-id";
    public const string StandardTimestamp = "webhook-timestamp";
    public const string StandardSignature = "webhook-signature";
}
