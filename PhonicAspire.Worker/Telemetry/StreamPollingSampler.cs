using System.Collections.Frozen;
using OpenTelemetry.Trace;

namespace PhonicAspire.Worker.Telemetry;

/// <summary>
/// Drops the root spans of the worker's own polling (reads of an idle stream, reclaims, status probes), which
/// would otherwise put an empty trace in the dashboard several times a second. Commands made while processing a
/// delivery have a parent and are kept with it.
/// </summary>
public sealed class StreamPollingSampler : Sampler
{
    private static readonly FrozenSet<string> PollingCommands =
        FrozenSet.Create(StringComparer.OrdinalIgnoreCase, "XREADGROUP", "XAUTOCLAIM", "XACK", "XLEN", "XPENDING", "XGROUP", "PING", "ECHO");

    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        PollingCommands.Contains(samplingParameters.Name) ? Drop : Keep;
}
