using Microsoft.Extensions.Time.Testing;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>The forward's attempts end on the handler's own clock, the one its retries wait on.</summary>
public sealed class ForwardingAttemptTimeoutTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task An_attempt_the_destination_does_not_answer_ends_once_the_handlers_clock_passes_AttemptTimeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var destination = new SilentDestination();
        var handler = InTestForwarding.Handler(destination, clock, options => options.AttemptTimeout = AttemptTimeout);
        var delivery = InTestForwarding.Delivery();
        using var stop = new CancellationTokenSource();

        var forwarding = handler.HandleAsync([delivery], InTestForwarding.Outcomes(delivery), stop.Token);
        try
        {
            await destination.FirstAttemptAsync.WaitAsync(TimeSpan.FromSeconds(30));
            clock.Advance(AttemptTimeout);

            await destination.FirstAttemptEndedAsync.WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await forwarding.WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (OperationCanceledException)
            {
                // The retries the stop ended.
            }
        }
    }

    /// <summary>Takes every attempt and never answers it; tells when the first one starts and when its caller gives it up.</summary>
    private sealed class SilentDestination : HttpMessageHandler
    {
        private readonly TaskCompletionSource _firstAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _firstAttemptEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstAttemptAsync => _firstAttempt.Task;

        public Task FirstAttemptEndedAsync => _firstAttemptEnded.Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var first = _firstAttempt.TrySetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            finally
            {
                if (first)
                {
                    _firstAttemptEnded.TrySetResult();
                }
            }

            throw new InvalidOperationException("unreachable: the attempt waits until it is given up");
        }
    }
}
