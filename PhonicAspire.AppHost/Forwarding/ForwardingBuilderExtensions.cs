using Microsoft.Extensions.Configuration;

namespace PhonicAspire.AppHost.Forwarding;

/// <summary>
/// Hands the worker the forwarding destinations configured for the AppHost (<c>Phonic:Forwarding:…</c>, the
/// worker's <c>Forwarding</c> section under another name) and the secret forwards are signed with. In a run,
/// <c>Phonic:SampleReceiver=true</c> (set by the launch profiles) adds a small service that verifies and logs every
/// forward, so a delivery's trace on the dashboard shows its forward too.
/// </summary>
internal static class ForwardingBuilderExtensions
{
    public const string SecretParameter = "phonic-forwarding-secret";
    public const string SampleReceiverName = "receiver";
    private const string SectionName = "Phonic:Forwarding";
    private const string SampleReceiverRoute = "/webhooks";

    public static IResourceBuilder<ProjectResource> WithForwarding(this IResourceBuilder<ProjectResource> worker)
    {
        var builder = worker.ApplicationBuilder;
        var settings = builder.Configuration.GetSection(SectionName);
        var sampleReceiver = builder.ExecutionContext.IsRunMode && builder.Configuration.GetValue<bool>("Phonic:SampleReceiver");
        if (!settings.GetSection("Destinations").GetChildren().Any() && !sampleReceiver)
        {
            return worker;
        }

        var secret = builder.AddParameter(SecretParameter, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true)
            .WithDescription("PhonicAspire's own secret its forwards are signed with; each destination verifies them with it.");
        worker.WithEnvironment("Forwarding__SigningSecret", secret);
        foreach (var (key, value) in settings.AsEnumerable(makePathsRelative: true).Where(setting => setting.Value is not null))
        {
            worker.WithEnvironment($"Forwarding__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
        }

        if (sampleReceiver)
        {
            var receiver = builder.AddProject<Projects.PhonicAspire_SampleReceiver>(SampleReceiverName)
                .WithEnvironment("Receiver__SigningSecret", secret)
                .WithHttpHealthCheck("/health");
            worker.WithEnvironment(
                $"Forwarding__Destinations__{SampleReceiverName}__Url",
                ReferenceExpression.Create($"{receiver.GetEndpoint("http")}{SampleReceiverRoute}"));
        }

        return worker;
    }
}
