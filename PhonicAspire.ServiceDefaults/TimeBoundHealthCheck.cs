using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Answers for a health check that has not answered within <see cref="Timeout"/>: unhealthy (the registration's
/// failure status), saying so. The client libraries' checks take no token down to the server: while Redis is down,
/// StackExchange.Redis's ping waits out its five-second timeout, and <see cref="HealthCheckRegistration.Timeout"/>
/// only cancels a token that ping never sees. A probe that slow fails the orchestrator's own timeout, and a stop waits
/// for the probe in flight.
/// </summary>
internal sealed class TimeBoundHealthCheck(IHealthCheck check, TimeProvider timeProvider) : IHealthCheck
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var checking = check.CheckHealthAsync(context, cancellationToken);
        try
        {
            return await checking.WaitAsync(Timeout, timeProvider, cancellationToken);
        }
        catch (TimeoutException) when (!checking.IsCompleted)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"No answer within {Timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Puts every registered check behind the bound.</summary>
    public static void Bound(HealthCheckServiceOptions options)
    {
        foreach (var registration in options.Registrations)
        {
            var create = registration.Factory;
            registration.Factory = services => new TimeBoundHealthCheck(create(services), services.GetService<TimeProvider>() ?? TimeProvider.System);
        }
    }
}
