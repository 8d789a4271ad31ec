namespace PhonicAspire.Worker.Forwarding;

/// <summary>How one attempt to forward an event ended.</summary>
/// <param name="Detail">For logs and the dead-letter reason: a status code or an error type, never a response body.</param>
/// <param name="RetryAfter">What the destination asked for in <c>Retry-After</c>, if anything.</param>
public sealed record ForwardAttempt(ForwardOutcome Outcome, string Detail, TimeSpan? RetryAfter = null);
