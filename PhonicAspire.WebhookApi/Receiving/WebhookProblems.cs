using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// RFC 9457 answers for refused deliveries. Each names its cause and never echoes a secret or a signature.
/// </summary>
public static class WebhookProblems
{
    private const string TypePrefix = "urn:phonic-aspire:problem:";

    public static IResult UnsupportedMediaType(string? contentType) => Problem(
        StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
        $"Phonic webhooks are JSON; Content-Type '{contentType ?? "(none)"}' is not application/json.");

    public static IResult BodyTooLarge(int limit) => Problem(
        StatusCodes.Status413PayloadTooLarge, "body-too-large", "Body too large",
        $"The body exceeds the limit of {limit} bytes and was not read further.");

    public static IResult BodyIncomplete() => Problem(
        StatusCodes.Status400BadRequest, "body-incomplete", "Body incomplete",
        "The request ended before the body its Content-Length announced.");

    public static IResult QueueUnavailable() => Results.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        type: TypePrefix + "queue-unavailable",
        title: "Queue unavailable",
        detail: "The delivery could not be stored safely right now and was not accepted; retry later.");

    public static IResult Rejected(SvixVerificationResult result) => result switch
    {
        SvixVerificationResult.MissingHeaders => Problem(
            StatusCodes.Status400BadRequest, "missing-headers", "Missing signature headers",
            "svix-id, svix-timestamp and svix-signature (or their webhook-* twins) are all required."),
        SvixVerificationResult.MalformedHeaders => Problem(
            StatusCodes.Status400BadRequest, "malformed-headers", "Malformed signature headers",
            "svix-timestamp must be unix seconds, and the id and signature headers must be of sane size."),
        SvixVerificationResult.TimestampTooOld => Problem(
            StatusCodes.Status400BadRequest, "timestamp-too-old", "Timestamp too old",
            $"svix-timestamp is more than {SvixSignatureVerifier.Tolerance.TotalSeconds:0} seconds in the past."),
        SvixVerificationResult.TimestampTooNew => Problem(
            StatusCodes.Status400BadRequest, "timestamp-too-new", "Timestamp in the future",
            $"svix-timestamp is more than {SvixSignatureVerifier.Tolerance.TotalSeconds:0} seconds in the future."),
        SvixVerificationResult.InvalidSignature => Problem(
            StatusCodes.Status401Unauthorized, "invalid-signature", "Invalid signature",
            "No v1 signature in svix-signature matches the body with the configured secret(s)."),
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "Not a rejection."),
    };

    private static IResult Problem(int status, string type, string title, string detail) =>
        Results.Problem(statusCode: status, type: TypePrefix + type, title: title, detail: detail);
}
