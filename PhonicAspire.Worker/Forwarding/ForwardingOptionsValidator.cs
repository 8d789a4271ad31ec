using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using PhonicAspire.Webhooks;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.Worker.Forwarding;

/// <summary>
/// What data annotations cannot say: names fit for a consumer group, usable URLs, known event types, a secret; and
/// every destination configured bound at all.
/// </summary>
public sealed partial class ForwardingOptionsValidator(IConfiguration configuration) : IValidateOptions<ForwardingOptions>
{
    public ValidateOptionsResult Validate(string? name, ForwardingOptions options)
    {
        var failures = new List<string>();
        // The binder leaves out a destination whose URL does not parse (a space in the host, a port past 65535), so
        // it would fail later, as a missing key, without a word about the setting. The value is not echoed: a URL can
        // hold a secret.
        foreach (var unread in configuration.GetSection($"{ForwardingOptions.SectionName}:{nameof(ForwardingOptions.Destinations)}").GetChildren()
            .Where(destination => !options.Destinations.ContainsKey(destination.Key)))
        {
            failures.Add($"Forwarding:Destinations:{unread.Key}:Url is not a URL that can be read (a space, a port past 65535?); give an absolute http or https URL.");
        }

        foreach (var (destination, settings) in options.Destinations)
        {
            if (!DestinationName().IsMatch(destination))
            {
                failures.Add($"Forwarding destination name '{destination}' must be 1 to 64 lowercase letters, digits or dashes.");
            }

            if (settings.Url is not { IsAbsoluteUri: true, Scheme: "http" or "https" })
            {
                failures.Add($"Forwarding:Destinations:{destination}:Url must be an absolute http or https URL.");
            }
            else if (settings.Url.UserInfo.Length > 0)
            {
                // HttpClient sends no Authorization for them: every forward would be refused, and dead-lettered.
                failures.Add($"Forwarding:Destinations:{destination}:Url holds credentials (user info before '@'), which forwards do not send; "
                    + "give the destination a URL without them (a secret path or query, say).");
            }

            foreach (var eventType in settings.EventTypes.Where(eventType => !PhonicEventTypes.IsKnown(eventType)))
            {
                failures.Add($"Forwarding:Destinations:{destination}:EventTypes has '{eventType}'; use one of {string.Join(", ", PhonicEventTypes.All)}.");
            }
        }

        if (options.Destinations.Count > 0 && !WebhookSigningKeys.TryParse(options.SigningSecret, out _, out var error))
        {
            failures.Add($"Forwarding:SigningSecret: {error}");
        }

        if (options.FirstRetryDelay > options.MaxRetryDelay)
        {
            failures.Add("Forwarding:FirstRetryDelay must not exceed Forwarding:MaxRetryDelay.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex DestinationName();
}
