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
