using System.Diagnostics;

namespace PhonicAspire.ServiceDefaults.Telemetry;

/// <summary>
/// The activity source of PhonicAspire's own spans (delivery verification, stream processing, storage).
/// </summary>
public static class PhonicTracing
{
    public const string SourceName = "PhonicAspire";

    public static readonly ActivitySource Source = new(SourceName);
}
