using System.Diagnostics;
using OpenTelemetry.Trace;

namespace PhonicAspire.ServiceDefaults.Telemetry;

/// <summary>
/// Starts a trace only for work that arrives: a request the service serves, or a delivery the worker takes from the
/// stream. A database or Redis call with no parent (the query behind a health probe, the API's periodic durability
/// check) would otherwise be a trace of its own every few seconds and bury the deliveries on the dashboard's Traces
/// page. Spans with a parent are not decided here: <see cref="ParentBasedSampler"/> follows the parent.
/// </summary>
internal sealed class ArrivingWorkSampler : Sampler
{
    private static readonly SamplingResult Record = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Skip = new(SamplingDecision.Drop);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind is ActivityKind.Server or ActivityKind.Consumer ? Record : Skip;
}
