namespace PhonicAspire.Worker.Phonic;

/// <summary>The <c>data.conversation</c> of <c>conversation.analysis</c>.</summary>
/// <param name="LatenciesMs">One entry per latency; an entry that is not a number is kept as null so positions stay meaningful.</param>
public sealed record PhonicAnalysis(string ConversationId, double?[]? LatenciesMs, int? InterruptionsCount);
