namespace PhonicAspire.WebhookApi.Queueing;

public enum EnqueueResult
{
    Queued,
    Duplicate,
}
