using PhonicAspire.Webhooks;
using PhonicAspire.Webhooks.Samples;

namespace PhonicAspire.WebhookApi.Development;

/// <summary>
/// The dashboard's "Send test webhook" command lands here (an operator route: see <see cref="OperatorRoutes"/>). The API builds a sample event, signs it
/// with its own configured secret exactly as Svix would, and posts it to its own webhook route, so the whole
/// path (verification, queue, worker, database) shows in one trace.
/// </summary>
public static class TestWebhookEndpoints
{
    public const string Route = "/test-webhooks";

    public static IEndpointRouteBuilder MapTestWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, async (string? eventType, TestWebhookSender sender, CancellationToken cancellationToken) =>
            {
                eventType ??= SampleEvents.DefaultEventType;
                if (!PhonicEventTypes.IsKnown(eventType))
                {
                    return Results.Problem(
                        statusCode: StatusCodes.Status400BadRequest,
                        type: ProblemTypes.Prefix + "unknown-sample",
                        title: "Unknown sample event",
                        detail: $"No sample for '{eventType}'; use one of {string.Join(", ", PhonicEventTypes.All)}.");
                }

                TestWebhookSent sent;
                try
                {
                    sent = await sender.SendAsync(eventType, cancellationToken);
                }
                catch (HttpRequestException exception)
                {
                    // The API could not reach its own webhook route (an address it listens on but cannot connect to,
                    // a certificate it does not trust): the operator's answer names that, not a bare 500.
                    return Results.Problem(
                        statusCode: StatusCodes.Status502BadGateway,
                        title: "The test webhook could not be sent",
                        detail: $"The webhook route could not be reached ({exception.HttpRequestError}).");
                }

                return sent.Accepted
                    ? Results.Ok(sent)
                    : Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The test webhook was refused", detail: $"The webhook route answered {sent.Status}.");
            })
            .WithName("SendTestWebhook")
            .ExcludeFromDescription();

        return endpoints;
    }
}
