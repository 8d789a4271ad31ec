using Microsoft.Extensions.Time.Testing;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>The forward's attempts end on the handler's own clock, the one its retries wait on.</summary>
public sealed class ForwardingAttemptTimeoutTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_attempt_the_destination_does_not_answer_ends_once_the_handlers_clock_passes_AttemptTimeout_and_is_tried_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var destination = new SilentDestination();
        var handler = InTestForwarding.Handler(destination, clock, options =>
        {
            options.AttemptTimeout = AttemptTimeout;
            options.FirstRetryDelay = TimeSpan.FromSeconds(1);
            options.MaxRetryDelay = MaxRetryDelay;
        });
        var delivery = InTestForwarding.Delivery();
        using var stop = new CancellationTokenSource();

        var forwarding = handler.HandleAsync([delivery], InTestForwarding.Outcomes(delivery), stop.Token);
        try
        {
            await destination.AttemptStarted(1).WaitAsync(Patience);
            clock.Advance(AttemptTimeout);
            await destination.FirstAttemptEnded.WaitAsync(Patience);

            // Counted as a failed attempt, not as the forward being stopped: it is tried again after the retry's pause,
            // whose timer starts once the failure is handled, so the clock moves on until it has.
            var second = destination.AttemptStarted(2);
            var waited = TimeSpan.Zero;
            while (!second.IsCompleted && waited < Patience)
            {
                clock.Advance(MaxRetryDelay);
                await Task.Delay(10);
                waited += TimeSpan.FromMilliseconds(10);
            }

            Assert.True(second.IsCompleted, "the attempt that timed out was not tried again");
            Assert.False(forwarding.IsCompleted, "the forward ended instead of retrying");
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await forwarding.WaitAsync(Patience);
            }
            catch (OperationCanceledException)
            {
                // The retries the stop ended.
            }
        }
    }

    /// <summary>Takes every attempt and never answers it; tells when each starts and when its caller gives the first up.</summary>
    private sealed class SilentDestination : HttpMessageHandler
    {
        private readonly TaskCompletionSource[] _started = [new(TaskCreationOptions.RunContinuationsAsynchronously), new(TaskCreationOptions.RunContinuationsAsynchronously)];
        private readonly TaskCompletionSource _firstAttemptEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _attempts;

        public Task FirstAttemptEnded => _firstAttemptEnded.Task;

        public Task AttemptStarted(int attempt) => _started[attempt - 1].Task;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var attempt = Interlocked.Increment(ref _attempts);
            if (attempt <= _started.Length)
            {
                _started[attempt - 1].TrySetResult();
            }

            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            finally
            {
                if (attempt == 1)
                {
                    _firstAttemptEnded.TrySetResult();
                }
            }

            throw new InvalidOperationException("unreachable: the attempt waits until it is given up");
        }
    }
}
