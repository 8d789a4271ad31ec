using System.Diagnostics;
using PhonicAspire.Worker.Persistence;

namespace PhonicAspire.Worker.Streaming;

/// <summary>One entry of the webhook stream, as the worker stores it.</summary>
/// <param name="ConversationId">The label the API read from the body, for logs and traces only; the store parses the body itself.</param>
public sealed record StreamDelivery(string EntryId, ReceivedWebhook Webhook, string? ConversationId, ActivityContext TraceContext);
