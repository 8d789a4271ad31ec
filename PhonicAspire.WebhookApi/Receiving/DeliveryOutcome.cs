using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>The <c>outcome</c> tag of the deliveries metric, one word per way a delivery can end.</summary>
public static class DeliveryOutcome
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string BodyTooLarge = "body_too_large";
    public const string BodyIncomplete = "body_incomplete";
    public const string ClientAborted = "client_aborted";
    public const string QueueUnavailable = "queue_unavailable";

    public static string Of(SvixVerificationResult result) => result switch
    {
        SvixVerificationResult.MissingHeaders => "missing_headers",
        SvixVerificationResult.MalformedHeaders => "malformed_headers",
        SvixVerificationResult.TimestampTooOld => "timestamp_too_old",
        SvixVerificationResult.TimestampTooNew => "timestamp_too_new",
        SvixVerificationResult.InvalidSignature => "invalid_signature",
        _ => "verified",
    };
}
