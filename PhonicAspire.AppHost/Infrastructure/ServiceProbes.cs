namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// The services' health endpoints as probes: the dashboard's health column here, and in the published manifest the
/// readiness and liveness probes a deployment target (Container Apps, Kubernetes) polls. <c>/health</c> includes
/// Redis's durability and the worker's storage and drain; <c>/alive</c> only that the process answers, so an outage of a
/// backing server makes a replica unready, never restarted for it.
/// </summary>
internal static class ServiceProbes
{
    public const string ReadinessPath = "/health";
    public const string LivenessPath = "/alive";

#pragma warning disable ASPIREPROBES001 // Probes are what the manifest hands deployment targets; experimental in Aspire 13.
    public static IResourceBuilder<ProjectResource> WithServiceProbes(this IResourceBuilder<ProjectResource> service) => service
        .WithHttpProbe(ProbeType.Readiness, ReadinessPath)
        .WithHttpProbe(ProbeType.Liveness, LivenessPath);
#pragma warning restore ASPIREPROBES001
}
