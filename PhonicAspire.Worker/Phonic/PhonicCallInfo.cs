namespace PhonicAspire.Worker.Phonic;

/// <summary><c>data.call_info</c>: present for phone conversations, null for web ones.</summary>
public sealed record PhonicCallInfo(string? FromPhoneNumber, string? ToPhoneNumber, string? TwilioCallSid);
