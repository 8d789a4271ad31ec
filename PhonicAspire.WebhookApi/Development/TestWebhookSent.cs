namespace PhonicAspire.WebhookApi.Development;

/// <summary>What the test webhook's post got: its ids and the status the webhook route answered.</summary>
public sealed record TestWebhookSent(string SvixId, string EventType, string ConversationId, int Status, bool Accepted);
