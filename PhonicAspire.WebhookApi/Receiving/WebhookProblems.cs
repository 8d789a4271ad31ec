namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// RFC 9457 answers for refused deliveries. Each names its cause and never echoes a secret or a signature.
/// </summary>
public static class WebhookProblems
{
    public static IResult UnsupportedMediaType(string? contentType) => Problem(
        StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
        $"Phonic webhooks are JSON; Content-Type '{contentType ?? "(none)"}' is not application/json.");

    public static IResult BodyTooLarge(int limit) => Problem(
        StatusCodes.Status413PayloadTooLarge, "body-too-large", "Body too large",
        $"The body exceeds the limit of {limit} bytes and was not read further.");

    public static IResult BodyIncomplete(bool tooSlow) => Problem(
        StatusCodes.Status400BadRequest, "body-incomplete", "Body incomplete",
        tooSlow
            ? "The body arrived too slowly (below the minimum data rate) and was cut off before it was complete."
            : "The body was not complete: the request ended before its Content-Length, or its chunked encoding was cut off or malformed.");

    public static IResult QueueUnavailable() => Problem(
        StatusCodes.Status503ServiceUnavailable, "queue-unavailable", "Queue unavailable",
        "The delivery could not be stored safely right now and was not accepted; retry later.");

    public static IResult Busy() => Problem(
        StatusCodes.Status503ServiceUnavailable, "busy", "Too much in flight",
        "Too many large bodies are arriving at once; the delivery was not read. Retry later.");

    public static IResult QueueFull() => Problem(
        StatusCodes.Status503ServiceUnavailable, "queue-full", "Queue full",
        "The queue is out of room right now and the delivery was not accepted; retry later.");

    public static IResult QueueNotDurable() => Problem(
        StatusCodes.Status503ServiceUnavailable, "queue-not-durable", "Queue not durable",
        "The queue could lose deliveries right now, so none is accepted; retry later.");

    public static IResult Rejected(VerificationRejection rejection) =>
        Problem(rejection.Status, rejection.ProblemType, rejection.Title, rejection.Detail);

    private static IResult Problem(int status, string type, string title, string detail) =>
        Results.Problem(statusCode: status, type: ProblemTypes.Prefix + type, title: title, detail: detail);
}
