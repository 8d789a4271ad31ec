using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace PhonicAspire.UnitTests.ServiceDefaults;

public sealed class HealthCheckTimeoutTests
{
    [Fact]
    public async Task A_check_that_never_answers_is_reported_unhealthy_after_two_seconds_while_the_others_answer()
    {
        var time = new FakeTimeProvider();
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.AddDefaultHealthChecks();
        builder.Services.AddHealthChecks().AddCheck<NeverAnswers>("hung");
        using var host = builder.Build();

        var checking = host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var advanced = TimeSpan.Zero;
        var step = TimeSpan.FromMilliseconds(100);
        while (!checking.IsCompleted && advanced < TimeSpan.FromSeconds(10))
        {
            // The checks start on the thread pool: each step gives them the moment to start waiting.
            await Task.Delay(10);
            time.Advance(step);
            advanced += step;
        }

        var report = await checking.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.InRange(advanced, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.5));
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["hung"].Status);
        Assert.Equal("No answer within 2 s", report.Entries["hung"].Description);
        Assert.Equal(HealthStatus.Healthy, report.Entries["self"].Status);
    }

    private sealed class NeverAnswers : IHealthCheck
    {
        // Ignores the token, as a client library's ping that takes none does.
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            new TaskCompletionSource<HealthCheckResult>().Task;
    }
}
