namespace PhonicAspire.WebhookApi.Receiving;

public static class PhonicWebhookEndpoints
{
    /// <summary>Where Phonic's endpoint is pointed; a contract with every Phonic workspace configured to call it.</summary>
    public const string Route = "/webhooks/phonic";

    public static IEndpointRouteBuilder MapPhonicWebhooks(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Route, (HttpContext context, WebhookReceiver receiver) => receiver.ReceiveAsync(context))
            .WithName("ReceivePhonicWebhook")
            .Produces(StatusCodes.Status202Accepted)
            .Produces(StatusCodes.Status200OK)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return endpoints;
    }
}
