namespace PhonicAspire.Worker.Persistence.Staging;

/// <summary>
/// webhook_events is written by binary COPY straight into the table, after leaving out the svix ids it already
/// holds: the bodies are most of a batch's bytes, and passing them through a staging table would cost as much
/// again as storing them.
/// </summary>
internal static class WebhookEventCommands
{
    /// <summary>Parameter $1: the batch's svix ids.</summary>
    public const string SelectStored = "SELECT svix_id FROM webhook_events WHERE svix_id = ANY ($1)";

    /// <summary>Parameter $1: the svix ids an operator requeued to be stored again.</summary>
    public const string DeleteForReprocessing = "DELETE FROM webhook_events WHERE svix_id = ANY ($1)";

    /// <summary>
    /// Parameters $1 and $2: conversation ids and event types, pair by pair; $3: the batch's svix ids. The other
    /// events stored of those conversations and types, for a requeue's merge to take again.
    /// </summary>
    public const string SelectOthersOfConversations = """
        SELECT svix_id, event_type, raw_body FROM webhook_events
        WHERE (conversation_id, event_type) IN (SELECT * FROM unnest($1::text[], $2::text[]))
            AND svix_id <> ALL ($3)
        """;

    public const string Copy = """
        COPY webhook_events (
            svix_id, event_type, conversation_id, created_at, received_at, stored_at, raw_body, payload, parse_error
        ) FROM STDIN (FORMAT BINARY)
        """;

    /// <summary>
    /// The constraint a concurrent worker storing the same svix id between the check and the COPY trips; the
    /// batch is then stored again, and finds it stored.
    /// </summary>
    public const string PrimaryKey = "pk_webhook_events";
}
