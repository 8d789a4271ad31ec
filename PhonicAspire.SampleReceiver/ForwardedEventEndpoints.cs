using System.Text.Json;
using Microsoft.Extensions.Options;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.SampleReceiver;

/// <summary>
/// What a team's own service does with PhonicAspire's forwards, at its smallest: verify the Standard Webhooks
/// signature with the forwarding secret, then act on the event (here: log it). Any Standard Webhooks or Svix
/// library verifies the same headers.
/// </summary>
public static partial class ForwardedEventEndpoints
{
    public const string Route = "/webhooks";

    private const int MaxBodyBytes = 4 * 1024 * 1024;

    public static IHostApplicationBuilder AddForwardedEventVerification(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ReceiverOptions>()
            .BindConfiguration(ReceiverOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(options => WebhookSigningKeys.TryParse(options.SigningSecret, out _, out _), "Receiver:SigningSecret is not a whsec_ secret.")
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => new SvixSignatureVerifier(
            WebhookSigningKeys.Parse(services.GetRequiredService<IOptions<ReceiverOptions>>().Value.SigningSecret),
            services.GetRequiredService<TimeProvider>()));
        builder.Services.AddProblemDetails();
        return builder;
    }

    public static IEndpointRouteBuilder MapForwardedEvents(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, async (HttpRequest request, SvixSignatureVerifier verifier, ILoggerFactory loggers, CancellationToken cancellationToken) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body, cancellationToken);
            if (body.Length > MaxBodyBytes)
            {
                return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The body is too large.");
            }

            var id = request.Headers[SvixHeaders.StandardId].ToString();
            var verification = verifier.Verify(
                id, request.Headers[SvixHeaders.StandardTimestamp], SvixHeaders.JoinSignatureLines(request.Headers[SvixHeaders.StandardSignature]), body.GetBuffer().AsSpan(0, (int)body.Length));
            var logger = loggers.CreateLogger(typeof(ForwardedEventEndpoints));
            if (verification != SvixVerificationResult.Verified)
            {
                LogRejected(logger, id, verification);
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "The webhook signature does not verify.", detail: verification.ToString());
            }

            LogReceived(logger, id, EventTypeOf(body.GetBuffer().AsMemory(0, (int)body.Length)), body.Length);
            return Results.Ok();
        });
        return endpoints;
    }

    private static string? EventTypeOf(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("event_type", out var eventType) ? eventType.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Received forwarded {EventType} {WebhookId} ({Bytes} bytes), signature verified")]
    private static partial void LogReceived(ILogger logger, string webhookId, string? eventType, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a forward claiming id {WebhookId}: {Verification}")]
    private static partial void LogRejected(ILogger logger, string webhookId, SvixVerificationResult verification);
}
