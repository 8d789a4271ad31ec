namespace PhonicAspire.Webhooks.Svix;

/// <summary>The outcome of checking one delivery; only <see cref="Verified"/> may be accepted.</summary>
public enum SvixVerificationResult
{
    Verified,
    MissingHeaders,
    MalformedHeaders,
    TimestampTooOld,
    TimestampTooNew,
    InvalidSignature,
}
