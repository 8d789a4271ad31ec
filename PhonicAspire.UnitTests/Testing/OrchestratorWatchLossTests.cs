using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.Testing;

namespace PhonicAspire.UnitTests.Testing;

public sealed class OrchestratorWatchLossTests
{
    private const string Executor = "Aspire.Hosting.Dcp.DcpExecutor";

    [Fact]
    public async Task A_critical_entry_of_the_orchestrator_executor_cancels_the_waits_and_explains_them_with_the_entry()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 6, 17, 23, 41, 423, TimeSpan.Zero));
        using var loss = new OrchestratorWatchLoss(time);
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(loss));
        var waiting = Task.Delay(Timeout.Infinite, loss.Token);

        factory.CreateLogger(Executor).LogCritical(
            new InvalidOperationException("Sequence contains more than one matching element"),
            "Watch task over Kubernetes {ResourceType} resources terminated unexpectedly.", "Endpoint");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(loss.IsLost);
        Assert.Equal(
            "The AppHost stopped watching the orchestrator (at 17:23:41.423 UTC: Watch task over Kubernetes Endpoint resources terminated unexpectedly. " +
            "InvalidOperationException: Sequence contains more than one matching element), so it can no longer see 'postgres' exited.",
            loss.Explain("'postgres' exited").Message);
    }

    [Fact]
    public void The_first_loss_is_the_one_explained()
    {
        using var loss = new OrchestratorWatchLoss(TimeProvider.System);
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(loss));

        factory.CreateLogger(Executor).LogCritical("Watch task over Kubernetes Endpoint resources terminated unexpectedly.");
        factory.CreateLogger(Executor).LogCritical("Watch task over Kubernetes Service resources terminated unexpectedly.");

        Assert.Contains("Endpoint resources", loss.Explain("it").Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Service resources", loss.Explain("it").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Executor, LogLevel.Error, "Watch task over Kubernetes Endpoint resources terminated unexpectedly.")]
    [InlineData(Executor, LogLevel.Critical, "Failed to start resource postgres")]
    [InlineData("Aspire.Hosting.Dcp.dcp.ExecutableReconciler", LogLevel.Critical, "Watch task over Kubernetes Endpoint resources terminated unexpectedly.")]
    [InlineData("PhonicAspire.AppHost.Resources.postgres", LogLevel.Critical, "Watch task over Kubernetes Endpoint resources terminated unexpectedly.")]
    public void Other_entries_leave_the_watch_standing(string category, LogLevel level, string entry)
    {
        using var loss = new OrchestratorWatchLoss(TimeProvider.System);
        using var factory = LoggerFactory.Create(logging => logging.AddProvider(loss));

        factory.CreateLogger(category).Log(level, entry);

        Assert.False(loss.IsLost);
        Assert.False(loss.Token.IsCancellationRequested);
    }
}
