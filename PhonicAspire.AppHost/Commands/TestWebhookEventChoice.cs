using Microsoft.Extensions.DependencyInjection;
using PhonicAspire.Webhooks;

namespace PhonicAspire.AppHost.Commands;

/// <summary>
/// Asks, in the dashboard, which of Phonic's events the test webhook should be; without a dashboard to ask (tests,
/// automation) it sends a <c>conversation.ended</c>.
/// </summary>
internal static class TestWebhookEventChoice
{
    private const string DefaultEventType = PhonicEventTypes.ConversationEnded;

    private static readonly KeyValuePair<string, string>[] EventTypes =
    [
        new(PhonicEventTypes.ConversationEnded, $"{PhonicEventTypes.ConversationEnded} — the full conversation, items and tool calls"),
        new(PhonicEventTypes.ConversationAnalysis, $"{PhonicEventTypes.ConversationAnalysis} — latencies and interruptions"),
        new(PhonicEventTypes.ConversationTransferred, $"{PhonicEventTypes.ConversationTransferred} — a call handed to a phone number"),
    ];

    public static async Task ApplyAsync(HttpCommandRequestContext context)
    {
        var eventType = await ChooseAsync(context.Services.GetRequiredService<IInteractionService>(), context.CancellationToken);
        context.Request.RequestUri = new Uri($"{context.Request.RequestUri}?eventType={Uri.EscapeDataString(eventType)}");
    }

    private static async Task<string> ChooseAsync(IInteractionService interaction, CancellationToken cancellationToken)
    {
        if (!interaction.IsAvailable)
        {
            return DefaultEventType;
        }

        var choice = await interaction.PromptInputAsync(
            "Send test webhook",
            "Which Phonic event? It is signed with the configured secret exactly as Svix would sign it.",
            new InteractionInput
            {
                Name = "eventType",
                Label = "Event",
                InputType = InputType.Choice,
                Required = true,
                Options = EventTypes,
                Value = DefaultEventType,
            },
            cancellationToken: cancellationToken);

        if (choice.Canceled)
        {
            throw new OperationCanceledException("The test webhook was not sent.");
        }

        return choice.Data?.Value ?? DefaultEventType;
    }
}
