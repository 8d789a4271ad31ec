namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The RFC 9457 problem types every PhonicAspire service answers with: one prefix, so that a client (Svix's log, an
/// operator's script, a dashboard) tells PhonicAspire's own problems from the framework's.
/// </summary>
public static class ProblemTypes
{
    public const string Prefix = "urn:phonic-aspire:problem:";
}
