namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// The <c>outcome</c> tag of the deliveries metric for the ways a delivery can end other than a failed
/// verification, whose outcomes come from <see cref="VerificationRejection"/>.
/// </summary>
public static class DeliveryOutcome
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string BodyTooLarge = "body_too_large";
    public const string BodyIncomplete = "body_incomplete";
    public const string ClientAborted = "client_aborted";
    public const string QueueUnavailable = "queue_unavailable";
    public const string QueueNotDurable = "queue_not_durable";
    public const string QueueFull = "queue_full";
    public const string Busy = "busy";
}
