using PhonicAspire.WebhookApi.Configuration;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>Why a body was not read: too large for <see cref="WebhookOptions.MaxBodyBytes"/>, or over the in-flight budget.</summary>
public enum BodyRefusal
{
    None,
    TooLarge,
    OverBudget,
}
