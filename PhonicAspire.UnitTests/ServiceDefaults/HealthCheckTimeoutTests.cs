using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace PhonicAspire.UnitTests.ServiceDefaults;

public sealed class HealthCheckTimeoutTests
{
    [Fact]
    public async Task A_check_that_never_answers_is_reported_with_its_failure_status_after_two_seconds_while_the_others_answer()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddDefaultHealthChecks();
        builder.Services.AddHealthChecks().AddCheck<NeverAnswers>("hung", failureStatus: HealthStatus.Degraded);
        using var host = builder.Build();

        // Without the bound the report would never come.
        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HealthStatus.Degraded, report.Entries["hung"].Status);
        Assert.Equal("No answer within 2 s", report.Entries["hung"].Description);
        Assert.Equal(HealthStatus.Healthy, report.Entries["self"].Status);
    }

    [Fact]
    public async Task A_check_that_fails_with_a_timeout_of_its_own_keeps_its_exception()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.AddDefaultHealthChecks();
        builder.Services.AddHealthChecks().AddCheck<TimesOutItself>("client-timeout");
        using var host = builder.Build();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["client-timeout"].Status);
        Assert.IsType<TimeoutException>(report.Entries["client-timeout"].Exception);
        Assert.NotEqual("No answer within 2 s", report.Entries["client-timeout"].Description);
    }

    private sealed class NeverAnswers : IHealthCheck
    {
        // Ignores the token, as a client library's ping that takes none does.
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            new TaskCompletionSource<HealthCheckResult>().Task;
    }

    private sealed class TimesOutItself : IHealthCheck
    {
        // As StackExchange.Redis's RedisTimeoutException, a TimeoutException, reports its own timeout.
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromException<HealthCheckResult>(new TimeoutException("the client's own timeout"));
    }
}
