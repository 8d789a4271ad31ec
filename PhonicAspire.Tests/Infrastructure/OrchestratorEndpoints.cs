using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace PhonicAspire.Tests.Infrastructure;

/// <summary>
/// The Endpoint objects of the orchestrator (DCP) behind a stack, through the Kubernetes-style API server the AppHost
/// started for it: one Endpoint a running process of a service, created and deleted by DCP as the process starts and
/// stops. A test writes here what DCP itself has been seen to write, to see what the stack makes of it.
/// </summary>
public sealed class OrchestratorEndpoints : IDisposable
{
    private const string EndpointsPath = "/apis/usvc-dev.developer.microsoft.com/v1/endpoints";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _client;
    private JsonObject? _serviceEndpoint;

    private OrchestratorEndpoints(HttpClient client) => _client = client;

    /// <summary>
    /// Connects to the API server of the stack whose service <paramref name="service"/> listens on
    /// <paramref name="port"/>: the test process runs one DCP per stack, and ports are never shared between stacks.
    /// </summary>
    public static async Task<OrchestratorEndpoints> ConnectAsync(string service, int port)
    {
        // DCP's API server leaves the process tree it was started from, and names its AppHost (this process) to watch.
        var apiServers = Process.GetProcesses()
            .Select(process => ProcFs.Arguments(process.Id))
            .Where(arguments => arguments.Contains("start-apiserver") && ValueOf(arguments, "--monitor") == Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
            .Select(arguments => ValueOf(arguments, "--kubeconfig"))
            .OfType<string>()
            .ToArray();
        foreach (var kubeconfig in apiServers)
        {
            var endpoints = new OrchestratorEndpoints(ClientFor(kubeconfig));
            endpoints._serviceEndpoint = (await endpoints.ListAsync()).FirstOrDefault(endpoint =>
                endpoint["spec"]?["serviceName"]?.GetValue<string>() == service && endpoint["spec"]?["port"]?.GetValue<int>() == port);
            if (endpoints._serviceEndpoint is not null)
            {
                return endpoints;
            }

            endpoints.Dispose();
        }

        throw new InvalidOperationException($"None of the {apiServers.Length} orchestrator API servers under this process has an Endpoint of '{service}' on port {port}.");
    }

    /// <summary>A second Endpoint object beside the service's own: the same service, process and address.</summary>
    public async Task<string> CreateSecondAsync()
    {
        var endpoint = _serviceEndpoint!;
        var metadata = endpoint["metadata"]!;
        var name = metadata["name"]!.GetValue<string>() + "-second";
        var second = new JsonObject
        {
            ["apiVersion"] = endpoint["apiVersion"]!.DeepClone(),
            ["kind"] = "Endpoint",
            ["metadata"] = new JsonObject { ["name"] = name, ["ownerReferences"] = metadata["ownerReferences"]!.DeepClone() },
            ["spec"] = endpoint["spec"]!.DeepClone(),
        };
        using var response = await _client.PostAsJsonAsync(EndpointsPath, second);
        response.EnsureSuccessStatusCode();
        return name;
    }

    /// <summary>Deletes an Endpoint object, if DCP has not already deleted it with its process.</summary>
    public async Task DeleteIfPresentAsync(string name)
    {
        using var response = await _client.DeleteAsync($"{EndpointsPath}/{name}");
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    public void Dispose() => _client.Dispose();

    private static string? ValueOf(IReadOnlyList<string> arguments, string option) =>
        arguments.SkipWhile(argument => argument != option).Skip(1).FirstOrDefault();

    private async Task<JsonObject[]> ListAsync()
    {
        var list = await _client.GetFromJsonAsync<JsonObject>(EndpointsPath)
            ?? throw new InvalidOperationException("The orchestrator answered no Endpoint list.");
        return [.. list["items"]!.AsArray().OfType<JsonObject>()];
    }

    /// <summary>
    /// A client as the kubeconfig describes it: its server, its bearer token, and its certificate authority as the
    /// only one trusted (DCP signs its API server's certificate with a CA of its own).
    /// </summary>
    private static HttpClient ClientFor(string kubeconfig)
    {
        var settings = File.ReadAllLines(kubeconfig)
            .Select(line => line.Trim().Split(": ", 2))
            .Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0])
            .ToDictionary(group => group.Key, group => group.First()[1]);
        var authority = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(settings["certificate-authority-data"]));
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
            {
                // The chain is built again below against DCP's own authority; every other check stands.
                if (certificate is null || chain is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate);
            },
        };
        var client = new HttpClient(handler, disposeHandler: true) { BaseAddress = new Uri(settings["server"]), Timeout = RequestTimeout };
        client.DefaultRequestHeaders.Authorization = new("Bearer", settings["token"]);
        return client;
    }
}
