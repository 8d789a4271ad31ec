using Microsoft.Extensions.Options;
using PhonicAspire.WebhookApi.Receiving;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.WebhookApi.Configuration;

/// <summary>
/// Fails start-up on a missing or undecodable secret (the API never runs in an "accept everything" mode), and on an
/// in-flight budget too small for one body of the largest size taken, which would be answered 503 busy, and retried by
/// Svix, for ever.
/// </summary>
public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        if (!WebhookSigningKeys.TryParse(options.WebhookSecrets, out _, out var error))
        {
            failures.Add($"Phonic:WebhookSecrets (the AppHost parameter 'phonic-webhook-secret') is unusable: {error}");
        }

        var largestBuffer = InFlightBodyBudget.BufferBytes(options.MaxBodyBytes);
        var largestBody = largestBuffer - InFlightBodyBudget.Allowance;
        if (options.MaxInFlightBodyBytes < largestBody)
        {
            failures.Add(
                $"Phonic:MaxInFlightBodyBytes ({options.MaxInFlightBodyBytes:D}) must be at least {largestBody:D} to hold one body of "
                + $"Phonic:MaxBodyBytes ({options.MaxBodyBytes:D}), whose pooled buffer is {largestBuffer:D} bytes "
                + $"(the first {InFlightBodyBudget.Allowance:D} not counted); raise it or lower Phonic:MaxBodyBytes.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
