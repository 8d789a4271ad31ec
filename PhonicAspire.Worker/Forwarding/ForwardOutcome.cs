namespace PhonicAspire.Worker.Forwarding;

/// <summary>What an attempt's answer means for its event: delivered, refused for good, worth trying again, or too old.</summary>
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
