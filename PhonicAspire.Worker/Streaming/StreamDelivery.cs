using System.Diagnostics;
using PhonicAspire.Worker.Persistence;

namespace PhonicAspire.Worker.Streaming;

/// <summary>One entry of the webhook stream, as the worker stores it.</summary>
public sealed record StreamDelivery(string EntryId, ReceivedWebhook Webhook, ActivityContext TraceContext);
