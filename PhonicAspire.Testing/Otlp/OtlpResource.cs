// Aliased: Aspire.Hosting.ApplicationModel, imported project-wide, has a Resource too.
using Resource = OpenTelemetry.Proto.Resource.V1.Resource;

namespace PhonicAspire.Testing.Otlp;

/// <summary>The process an export came from: its service and, since a restarted service is a new instance, which one.</summary>
internal readonly record struct OtlpResource(string ServiceName, string InstanceId)
{
    private const string ServiceNameKey = "service.name";
    private const string ServiceInstanceKey = "service.instance.id";

    /// <summary>An absent resource or attribute reads as an empty string, so spans of unnamed services still group.</summary>
    public static OtlpResource Of(Resource? resource)
    {
        var attributes = OtlpAttributes.Render(resource?.Attributes ?? []);
        return new(attributes.GetValueOrDefault(ServiceNameKey, ""), attributes.GetValueOrDefault(ServiceInstanceKey, ""));
    }
}
