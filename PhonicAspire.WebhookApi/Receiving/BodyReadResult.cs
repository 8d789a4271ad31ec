namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>A body read whole, or why it was not.</summary>
public readonly record struct BodyReadResult(WebhookBody? Body, BodyRefusal Refusal);
