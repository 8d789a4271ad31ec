using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace PhonicAspire.AppHost.Infrastructure;

/// <summary>
/// How many processes of each service run: <c>Phonic:ApiReplicas</c> and <c>Phonic:WorkerReplicas</c> (default 1;
/// these names are a contract). The services are stateless: API replicas share the load behind the orchestrator's
/// proxy, worker replicas share the stream as consumers of one group, and the svix id keeps every event once.
/// </summary>
internal sealed record ServiceReplicas(int Api, int Worker)
{
    public const string ApiKey = "Phonic:ApiReplicas";
    public const string WorkerKey = "Phonic:WorkerReplicas";

    private const int Most = 16;

    public static bool TryRead(IConfiguration configuration, out ServiceReplicas replicas, out string problem)
    {
        replicas = new ServiceReplicas(1, 1);
        problem = string.Empty;
        if (!TryReadCount(configuration, ApiKey, out var api, ref problem) || !TryReadCount(configuration, WorkerKey, out var worker, ref problem))
        {
            return false;
        }

        replicas = new ServiceReplicas(api, worker);
        return true;
    }

    private static bool TryReadCount(IConfiguration configuration, string key, out int count, ref string problem)
    {
        var configured = configuration[key];
        count = 1;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return true;
        }

        if (int.TryParse(configured, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count is >= 1 and <= Most)
        {
            return true;
        }

        problem = $"{key}='{configured}' is not a number of replicas from 1 to {Most}.";
        return false;
    }
}
