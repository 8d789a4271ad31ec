namespace PhonicAspire.Worker.Phonic;

/// <summary>The <c>data.conversation</c> of <c>conversation.analysis</c>.</summary>
/// <param name="LatenciesMs">One entry per latency; an entry that is not a number is kept as null so positions stay meaningful.</param>
public sealed record PhonicAnalysis(double?[]? LatenciesMs, int? InterruptionsCount);
