using System.Diagnostics.Metrics;

namespace PhonicAspire.ServiceDefaults.Telemetry;

/// <summary>
/// PhonicAspire's own meter: what happened to each delivery, from receipt at the API to its commit in PostgreSQL.
/// </summary>
public sealed class PhonicMetrics
{
    public const string MeterName = "PhonicAspire";

    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _verificationDuration;
    private readonly Counter<long> _eventsStored;
    private readonly Counter<long> _duplicatesSkipped;
    private readonly Counter<long> _deadLettered;
    private readonly Histogram<double> _receiptToCommit;
    private readonly Counter<long> _forwards;
    private readonly Meter _meter;
    private volatile StreamStatus? _streamStatus;

    public PhonicMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);

        _deliveries = meter.CreateCounter<long>(
            "phonic.webhook.deliveries", "{delivery}",
            "Webhook deliveries received by the API, by outcome (accepted, duplicate or the rejection cause).");
        _verificationDuration = meter.CreateHistogram<double>(
            "phonic.webhook.verification.duration", "ms",
            "Time spent verifying a delivery's Svix signature.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        _eventsStored = meter.CreateCounter<long>(
            "phonic.events.stored", "{event}", "Webhook events committed to PostgreSQL.");
        _duplicatesSkipped = meter.CreateCounter<long>(
            "phonic.events.duplicates", "{event}", "Deliveries whose svix id was already stored, acknowledged without a new row.");
        _deadLettered = meter.CreateCounter<long>(
            "phonic.events.dead_lettered", "{event}", "Stream entries moved to the dead-letter stream after repeated failures.");
        _receiptToCommit = meter.CreateHistogram<double>(
            "phonic.events.receipt_to_commit", "ms",
            "Delay from the API's receipt of a delivery to the commit of its row in PostgreSQL; not recorded for events an operator put back (requeue, replayed dead letters).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 60000] });

        _forwards = meter.CreateCounter<long>(
            "phonic.webhook.forwards", "{attempt}",
            "Attempts to forward a verified event, by destination and outcome (delivered, failed, refused or expired).");

        _meter = meter;
    }

    public void DeliveryReceived(string outcome) =>
        _deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void VerificationTook(TimeSpan elapsed) => _verificationDuration.Record(elapsed.TotalMilliseconds);

    public void EventsStored(int count) => _eventsStored.Add(count);

    public void DuplicatesSkipped(int count) => _duplicatesSkipped.Add(count);

    public void DeadLettered() => _deadLettered.Add(1);

    public void Forwarded(string destination, string outcome) =>
        _forwards.Add(1, new KeyValuePair<string, object?>("destination", destination), new KeyValuePair<string, object?>("outcome", outcome));

    public void CommittedAfter(TimeSpan sinceReceipt) => _receiptToCommit.Record(sinceReceipt.TotalMilliseconds);

    /// <summary>
    /// Records what the worker saw of the stream. The gauges appear with the first observation, so only the
    /// service that watches the stream exports them, never a misleading zero from the API.
    /// </summary>
    public void StreamObserved(StreamStatus status)
    {
        if (Interlocked.Exchange(ref _streamStatus, status) is null)
        {
            _meter.CreateObservableGauge("phonic.stream.length", () => _streamStatus.Length, "{entry}",
                "Entries in the webhook stream (stored ones are deleted, so this is the backlog plus what is in flight).");
            _meter.CreateObservableGauge("phonic.stream.pending", () => _streamStatus.Pending, "{entry}",
                "Entries delivered to a worker and not yet acknowledged.");
            _meter.CreateObservableGauge("phonic.stream.oldest_pending_age", () => _streamStatus.OldestPendingAge.TotalSeconds, "s",
                "Time since the oldest unacknowledged entry was appended to the stream.");
            _meter.CreateObservableGauge("phonic.stream.dead_letters", ObserveDeadLetters, "{entry}",
                "Entries waiting in the dead-letter stream (no value while Redis refuses to count them).");
        }
    }

    // Nothing rather than the last count: a frozen gauge would say the dead letters stopped growing.
    private IEnumerable<Measurement<long>> ObserveDeadLetters() =>
        _streamStatus?.DeadLetters is { } count ? [new Measurement<long>(count)] : [];
}
