namespace PhonicAspire.Webhooks;

/// <summary>
/// The Redis stream between the API and the worker. These names are a contract: dashboards and operators' scripts
/// read them.
/// </summary>
public static class WebhookStream
{
    /// <summary>Accepted deliveries, appended by the API once verified.</summary>
    public const string Name = "phonic:webhooks";

    /// <summary>The consumer group through which workers share the stream.</summary>
    public const string ConsumerGroup = "phonic-workers";

    /// <summary>Entries that failed too often to be stored, with the reason; replayable from the dashboard.</summary>
    public const string DeadLetterName = "phonic:webhooks:dead";

    /// <summary>
    /// Prefix of the consumer group of each forwarding destination, followed by the destination's name: every
    /// destination reads the stream at its own pace, so one that is down delays no other and not the storage.
    /// </summary>
    public const string ForwardingGroupPrefix = "phonic-forward:";

    /// <summary>
    /// Forwards a destination refused for good (a 4xx other than 408 and 429) or that stayed undelivered past the
    /// age limit, with the destination and the reason; replayable like the other dead letters.
    /// </summary>
    public const string ForwardingDeadLetterName = "phonic:webhooks:forwarding:dead";

    /// <summary>Prefix of the keys that mark a svix id as already accepted, so retries skip the pipeline.</summary>
    public const string AcceptedKeyPrefix = "phonic:webhooks:accepted:";

    /// <summary>The fields of one stream entry.</summary>
    public static class Fields
    {
        public const string SvixId = "svix_id";
        public const string EventType = "event_type";

        /// <summary>Phonic's <c>data.conversation.id</c>, when the API could read one; a label for logs and traces.</summary>
        public const string ConversationId = "conversation_id";
        public const string ReceivedAt = "received_at";
        public const string TraceParent = "traceparent";
        public const string TraceState = "tracestate";
        public const string Body = "body";

        /// <summary>
        /// Only on entries an operator put back for the storage (<c>phonic requeue</c>, a replayed storage dead
        /// letter): the event is stored again over any earlier row, so a fixed parser or merge applies to it, and
        /// forwarding skips it.
        /// </summary>
        public const string Reprocess = "reprocess";

        /// <summary>
        /// Only on entries replayed from the forwarding dead letters: the one destination that should forward it
        /// again (the others and the storage skip it, having handled it already).
        /// </summary>
        public const string ForwardTo = "forward_to";

        /// <summary>
        /// Only on entries replayed from the forwarding dead letters: when, in unix seconds. A forward's age limit
        /// counts from then, or the events of a destination that was down too long would expire again at once.
        /// </summary>
        public const string ReplayedAt = "replayed_at";

        /// <summary>Only on forwarding dead letters: the destination that did not take the event.</summary>
        public const string Destination = "destination";

        /// <summary>Only on dead letters: why the entry could not be stored (or forwarded).</summary>
        public const string Error = "error";

        /// <summary>Only on dead letters: the id the entry had in the main stream.</summary>
        public const string OriginalEntryId = "original_entry_id";
    }
}
