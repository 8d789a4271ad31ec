using Microsoft.Extensions.DependencyInjection;

namespace PhonicAspire.AppHost.Commands;

/// <summary>
/// Buttons in the dashboard for the development loop: fire a signed test webhook, replay dead letters, see the
/// stream. They call development-only endpoints of the services, so they exist only in development.
/// </summary>
internal static class DashboardCommands
{
    public const string SendTestWebhook = "send-test-webhook";
    public const string ReplayDeadLetters = "replay-dead-letters";
    public const string StreamStatus = "stream-status";

    private const string HttpClientName = "phonic-dashboard-commands";

    // A person (or a test) waits on each click: a service that does not answer fails the command in time rather
    // than leaving it spinning for HttpClient's default 100 s.
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(15);

    private static IResourceBuilder<ProjectResource> WithCommandHttpClient(this IResourceBuilder<ProjectResource> service)
    {
        service.ApplicationBuilder.Services.AddHttpClient(HttpClientName, client => client.Timeout = HttpTimeout);
        return service;
    }

    public static IResourceBuilder<ProjectResource> WithTestWebhookCommand(this IResourceBuilder<ProjectResource> api) =>
        api.WithCommandHttpClient().WithHttpCommand("/admin/test-webhooks", "Send test webhook", commandName: SendTestWebhook, commandOptions: new HttpCommandOptions
        {
            Description = "Signs a sample Phonic event with a fresh conversation id as Svix would, and posts it to the API.",
            IconName = "Send",
            IsHighlighted = true,
            HttpClientName = HttpClientName,
            PrepareRequest = TestWebhookEventChoice.ApplyAsync,
        });

    public static IResourceBuilder<ProjectResource> WithStreamCommands(this IResourceBuilder<ProjectResource> worker) => worker
        .WithCommandHttpClient()
        .WithHttpCommand("/admin/dead-letters/replay", "Replay dead letters", commandName: ReplayDeadLetters, commandOptions: new HttpCommandOptions
        {
            Description = "Moves every dead-lettered entry back into the webhook stream for another try.",
            ConfirmationMessage = "Move all dead letters back into the webhook stream?",
            IconName = "ArrowReplay",
            HttpClientName = HttpClientName,
        })
        .WithHttpCommand("/admin/stream-status", "Stream status", commandName: StreamStatus, commandOptions: new HttpCommandOptions
        {
            Description = "Logs the stream's length, pending entries and dead letters to the worker's console.",
            IconName = "DataBarVertical",
            HttpClientName = HttpClientName,
        });
}
