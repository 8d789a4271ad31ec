using Microsoft.Extensions.Options;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.WebhookApi.Configuration;

/// <summary>Fails start-up on a missing or undecodable secret: the API never runs in an "accept everything" mode.</summary>
public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options) =>
        WebhookSigningKeys.TryParse(options.WebhookSecrets, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Phonic:WebhookSecrets (the AppHost parameter 'phonic-webhook-secret') is unusable: {error}");
}
