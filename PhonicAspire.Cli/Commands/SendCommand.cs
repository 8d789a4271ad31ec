using System.CommandLine;
using PhonicAspire.Webhooks;
using PhonicAspire.Webhooks.Samples;

namespace PhonicAspire.Cli.Commands;

/// <summary><c>phonic send URL [--event TYPE]</c>: one of Phonic's sample events, signed with the configured secret, POSTed to any URL.</summary>
internal static class SendCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Enough of an answer's body to name the problem (a problem details' title and detail), on the one line an error gets.
    private const int LongestBodyExcerpt = 300;

    public static Command Create(OperatorContext context)
    {
        var url = new Argument<string>("url") { Description = "Where to POST it, such as https://hooks.example.com/webhooks/phonic." };
        var eventType = new Option<string>("--event")
        {
            Description = "The Phonic event to send.",
            DefaultValueFactory = _ => SampleEvents.DefaultEventType,
        };
        eventType.AcceptOnlyFromAmong([.. PhonicEventTypes.All]);

        var command = new Command("send", "Send a signed sample Phonic event to a URL, as Svix would.") { url, eventType };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (!Uri.TryCreate(parsed.GetValue(url), UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
            {
                throw new OperatorException($"'{parsed.GetValue(url)}' is not an http(s) URL.", PhonicCommandLine.BadArguments);
            }

            var sample = SignedSample.Create(parsed.GetValue(eventType)!, context.SigningKeys, context.TimeProvider.GetUtcNow(), "msg_cli_");
            // Svix does not follow redirects, and a client that does turns the POST into a GET: the redirect is the answer.
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = Timeout };
            using var request = sample.ToRequest(target);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, cancellationToken);
            }
            catch (Exception exception) when (exception is HttpRequestException || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new OperatorException($"{target} did not answer: {exception.Message}");
            }

            using (response)
            {
                await context.Output.WriteLineAsync($"{(int)response.StatusCode} {response.ReasonPhrase} for {sample.EventType} {sample.SvixId} (conversation {sample.ConversationId})");
                if (response.IsSuccessStatusCode)
                {
                    return PhonicCommandLine.Succeeded;
                }

                var redirect = response.Headers.Location is { } location ? $", to {new Uri(target, location)} (not followed)" : "";
                var body = OneLine(await response.Content.ReadAsStringAsync(cancellationToken));
                throw new OperatorException(
                    $"{target} refused the event: {(int)response.StatusCode} {response.ReasonPhrase}{redirect}{(body.Length > 0 ? $": {body}" : "")}");
            }
        });
        return command;
    }

    private static string OneLine(string text)
    {
        var line = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= LongestBodyExcerpt ? line : $"{line[..LongestBodyExcerpt]}…";
    }
}
