namespace PhonicAspire.Worker.Forwarding;

/// <summary>How one attempt to forward an event ended.</summary>
/// <param name="Detail">For logs and the dead-letter reason: a status code or an error type, never a response body.</param>
/// <param name="RetryAfter">What the destination asked for in <c>Retry-After</c>, if anything.</param>
public sealed record ForwardAttempt(ForwardOutcome Outcome, string Detail, TimeSpan? RetryAfter = null);

public enum ForwardOutcome
{
    /// <summary>The destination answered 2xx.</summary>
    Delivered,

    /// <summary>The destination refused the event for good: a 4xx other than 408 and 429.</summary>
    Refused,

    /// <summary>Down, timed out, 5xx, 408 or 429: worth trying again.</summary>
    Failed,

    /// <summary>Older than the age limit before it could be delivered.</summary>
    Expired,
}
