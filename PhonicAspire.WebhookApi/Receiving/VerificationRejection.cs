using System.Collections.Frozen;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// How each failed verification is answered and counted: one table, so the problem type a client sees and the
/// outcome an operator's metric shows cannot drift apart.
/// </summary>
public sealed record VerificationRejection(int Status, string ProblemType, string Title, string Detail)
{
    private static readonly FrozenDictionary<SvixVerificationResult, VerificationRejection> Rejections =
        new Dictionary<SvixVerificationResult, VerificationRejection>
        {
            [SvixVerificationResult.MissingHeaders] = new(
                StatusCodes.Status400BadRequest, "missing-headers", "Missing signature headers",
                "svix-id, svix-timestamp and svix-signature (or their webhook-* twins) are all required."),
            [SvixVerificationResult.MalformedHeaders] = new(
                StatusCodes.Status400BadRequest, "malformed-headers", "Malformed signature headers",
                "svix-timestamp must be unix seconds, and the id and signature headers must be of sane size."),
            [SvixVerificationResult.TimestampTooOld] = new(
                StatusCodes.Status400BadRequest, "timestamp-too-old", "Timestamp too old",
                $"svix-timestamp is more than {SvixSignatureVerifier.Tolerance.TotalSeconds:0} seconds in the past."),
            [SvixVerificationResult.TimestampTooNew] = new(
                StatusCodes.Status400BadRequest, "timestamp-too-new", "Timestamp in the future",
                $"svix-timestamp is more than {SvixSignatureVerifier.Tolerance.TotalSeconds:0} seconds in the future."),
            [SvixVerificationResult.InvalidSignature] = new(
                StatusCodes.Status401Unauthorized, "invalid-signature", "Invalid signature",
                "No v1 signature in svix-signature matches the body with the configured secret(s)."),
        }.ToFrozenDictionary();

    /// <summary>The <c>outcome</c> tag of the deliveries metric.</summary>
    public string Outcome => ProblemType.Replace('-', '_');

    public static VerificationRejection For(SvixVerificationResult result) =>
        Rejections.TryGetValue(result, out var rejection)
            ? rejection
            : throw new ArgumentOutOfRangeException(nameof(result), result, "Not a rejection.");
}
