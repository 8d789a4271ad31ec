namespace PhonicAspire.Testing.Otlp;

/// <summary>A metric stream an OTLP exporter reported, by the service, meter and instrument that produced it.</summary>
public sealed record CollectedMetric(string ServiceName, string MeterName, string Name);
