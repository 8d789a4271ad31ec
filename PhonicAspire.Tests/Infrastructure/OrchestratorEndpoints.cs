using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// The Endpoint objects of the orchestrator (DCP) behind a stack, read and written through the Kubernetes-style API
/// server the AppHost started for it. DCP keeps one Endpoint for each running process of a service, creating and
/// deleting it as the process starts and stops; a test writes here what DCP itself has been seen to write.
/// </summary>
public sealed class OrchestratorEndpoints(Kubernetes orchestrator, string service, JsonObject serviceEndpoint) : IDisposable
{
    private const string Group = "usvc-dev.developer.microsoft.com";
    private const string Version = "v1";
    private const string Plural = "endpoints";

    /// <summary>
    /// Connects to the API server of the stack whose <paramref name="service"/> listens on <paramref name="port"/>:
    /// the test process runs one DCP for each of its stacks, and no two stacks share a port.
    /// </summary>
    public static async Task<OrchestratorEndpoints> ConnectAsync(string service, int port)
    {
        var kubeconfigs = ApiServerKubeconfigs();
        foreach (var kubeconfig in kubeconfigs)
        {
            var orchestrator = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
            try
            {
                if ((await ListAsync(orchestrator, service)).FirstOrDefault(endpoint => PortOf(endpoint) == port) is { } serviceEndpoint)
                {
                    return new OrchestratorEndpoints(orchestrator, service, serviceEndpoint);
                }
            }
            catch (HttpRequestException)
            {
                // Another stack's orchestrator, shutting down.
            }

            orchestrator.Dispose();
        }

        throw new InvalidOperationException($"None of the {kubeconfigs.Length} orchestrator API servers of this process has an Endpoint of '{service}' on port {port}.");
    }

    /// <summary>How many Endpoint objects the orchestrator holds for the service at its address.</summary>
    public async Task<int> CountAsync() =>
        (await ListAsync(orchestrator, service)).Count(endpoint => PortOf(endpoint) == PortOf(serviceEndpoint));

    /// <summary>A second Endpoint object beside the service's own: the same service, process and address.</summary>
    public async Task<string> CreateSecondAsync()
    {
        var metadata = serviceEndpoint["metadata"]!;
        var name = metadata["name"]!.GetValue<string>() + "-second";
        var second = new JsonObject
        {
            ["apiVersion"] = $"{Group}/{Version}",
            ["kind"] = "Endpoint",
            ["metadata"] = new JsonObject { ["name"] = name, ["ownerReferences"] = metadata["ownerReferences"]!.DeepClone() },
            ["spec"] = serviceEndpoint["spec"]!.DeepClone(),
        };
        await orchestrator.CustomObjects.CreateClusterCustomObjectAsync(second, Group, Version, Plural);
        return name;
    }

    /// <summary>Deletes an Endpoint object, unless DCP has already deleted it with its process.</summary>
    public async Task DeleteIfPresentAsync(string name)
    {
        try
        {
            await orchestrator.CustomObjects.DeleteClusterCustomObjectAsync(Group, Version, Plural, name);
        }
        catch (HttpOperationException exception) when (exception.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    public void Dispose() => orchestrator.Dispose();

    // DCP's API server leaves the process tree it was started from, and names the AppHost it serves (this process) to watch.
    private static string[] ApiServerKubeconfigs() =>
    [
        .. ProcFs.All()
            .Select(ProcFs.Arguments)
            .Where(arguments => arguments.Contains("start-apiserver") && ValueOf(arguments, "--monitor") == Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
            .Select(arguments => ValueOf(arguments, "--kubeconfig"))
            .OfType<string>(),
    ];

    private static async Task<JsonObject[]> ListAsync(Kubernetes orchestrator, string service)
    {
        var list = await orchestrator.CustomObjects.ListClusterCustomObjectAsync<JsonObject>(Group, Version, Plural);
        return [.. list["items"]!.AsArray().OfType<JsonObject>().Where(endpoint => endpoint["spec"]?["serviceName"]?.GetValue<string>() == service)];
    }

    private static int? PortOf(JsonObject endpoint) => endpoint["spec"]?["port"]?.GetValue<int>();

    private static string? ValueOf(IReadOnlyList<string> arguments, string option) =>
        arguments.SkipWhile(argument => argument != option).Skip(1).FirstOrDefault();
}
