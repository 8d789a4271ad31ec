using Microsoft.Extensions.DependencyInjection;

namespace PhonicAspire.AppHost.Commands;

/// <summary>
/// Buttons in the dashboard for the development loop: fire a signed test webhook, replay dead letters, see the
/// stream. They call the services' operator routes with an operator key the AppHost generates and hands to both
/// sides, so nobody else reaching the services' ports can; the routes exist only where a key is given.
/// </summary>
internal static class DashboardCommands
{
    public const string SendTestWebhook = "send-test-webhook";
    public const string ReplayForwardingDeadLetters = "replay-forwarding-dead-letters";
    public const string ReplayDeadLetters = "replay-dead-letters";
    public const string StreamStatus = "stream-status";

    private const string HttpClientName = "phonic-dashboard-commands";
    private const string OperatorKeyParameter = "phonic-operator-key";
    private const string OperatorKeyVariable = "Operator__Key";

    // A person (or a test) waits on each click: a service that does not answer fails the command in time rather
    // than leaving it spinning for HttpClient's default 100 s.
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The operator key: generated once and kept in the AppHost's user secrets, or set like any parameter.</summary>
    public static IResourceBuilder<ParameterResource> AddOperatorKey(this IDistributedApplicationBuilder builder) =>
        builder.AddParameter(OperatorKeyParameter, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
            .WithDescription("The key the dashboard's buttons present to the services' operator routes.");

    private static IResourceBuilder<ProjectResource> WithOperatorAccess(this IResourceBuilder<ProjectResource> service, IResourceBuilder<ParameterResource> operatorKey)
    {
        service.ApplicationBuilder.Services.AddHttpClient(HttpClientName, client => client.Timeout = HttpTimeout);
        return service.WithEnvironment(OperatorKeyVariable, operatorKey);
    }

    private static Func<HttpCommandRequestContext, Task> Authorized(IResourceBuilder<ParameterResource> operatorKey, Func<HttpCommandRequestContext, Task>? prepare = null) =>
        async context =>
        {
            // Trimmed as the services trim it: a key set from a file may end in a line break, which no header can carry.
            context.Request.Headers.Authorization = new("Bearer", (await operatorKey.Resource.GetValueAsync(context.CancellationToken))?.Trim());
            if (prepare is not null)
            {
                await prepare(context);
            }
        };

    public static IResourceBuilder<ProjectResource> WithTestWebhookCommand(this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> operatorKey) =>
        api.WithOperatorAccess(operatorKey).WithHttpCommand("/admin/test-webhooks", "Send test webhook", commandName: SendTestWebhook, commandOptions: new HttpCommandOptions
        {
            Description = "Signs a sample Phonic event with a fresh conversation id as Svix would, and posts it to the API.",
            IconName = "Send",
            IsHighlighted = true,
            HttpClientName = HttpClientName,
            PrepareRequest = Authorized(operatorKey, TestWebhookEventChoice.ApplyAsync),
            GetCommandResult = OperatorRouteResults.FromResponseAsync,
        });

    public static IResourceBuilder<ProjectResource> WithStreamCommands(this IResourceBuilder<ProjectResource> worker, IResourceBuilder<ParameterResource> operatorKey) => worker
        .WithOperatorAccess(operatorKey)
        .WithHttpCommand("/admin/dead-letters/replay", "Replay dead letters", commandName: ReplayDeadLetters, commandOptions: new HttpCommandOptions
        {
            Description = "Moves every dead-lettered entry back into the webhook stream for another try.",
            ConfirmationMessage = "Move all dead letters back into the webhook stream?",
            IconName = "ArrowReplay",
            HttpClientName = HttpClientName,
            PrepareRequest = Authorized(operatorKey),
            GetCommandResult = OperatorRouteResults.FromResponseAsync,
        })
        .WithHttpCommand("/admin/forwarding/dead-letters/replay", "Replay forwarding dead letters", commandName: ReplayForwardingDeadLetters, commandOptions: new HttpCommandOptions
        {
            Description = "Sends every forward a destination refused or did not take in time back to that destination alone.",
            ConfirmationMessage = "Forward all forwarding dead letters again, each to its own destination?",
            IconName = "ArrowForward",
            HttpClientName = HttpClientName,
            PrepareRequest = Authorized(operatorKey),
            GetCommandResult = OperatorRouteResults.FromResponseAsync,
        })
        .WithHttpCommand("/admin/stream-status", "Stream status", commandName: StreamStatus, commandOptions: new HttpCommandOptions
        {
            Description = "Logs the stream's length, pending entries and dead letters to the worker's console.",
            IconName = "DataBarVertical",
            HttpClientName = HttpClientName,
            PrepareRequest = Authorized(operatorKey),
            GetCommandResult = OperatorRouteResults.FromResponseAsync,
        });
}
