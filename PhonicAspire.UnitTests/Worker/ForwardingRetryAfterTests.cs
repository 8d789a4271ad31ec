using System.Net;
using PhonicAspire.Webhooks.Svix;
using PhonicAspire.Worker.Forwarding;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>
/// A destination's <c>Retry-After</c> speaks for the destination, not for the one event it answered: no forward to it
/// starts before the pause it asked for is over. The destination is an in-test HTTP handler; no Redis is involved,
/// the outcomes are reported to the test.
/// </summary>
public sealed class ForwardingRetryAfterTests
{
    private static readonly TimeSpan AskedPause = TimeSpan.FromSeconds(1);
    // Timers do not fire early by more than this; a slow machine only makes the measured gaps longer.
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_event_from_a_later_batch_is_not_sent_to_a_destination_before_the_pause_its_Retry_After_asked_for()
    {
        var destination = new PausingDestination(AskedPause);
        var handler = Handler(destination);
        var first = InTestForwarding.Delivery();
        var second = InTestForwarding.Delivery();

        var firstForward = handler.HandleAsync([first], InTestForwarding.Outcomes(first), CancellationToken.None);
        var paused = await destination.FirstAnswerAsync.WaitAsync(Timeout);
        await handler.HandleAsync([second], InTestForwarding.Outcomes(second), CancellationToken.None).WaitAsync(Timeout);
        await firstForward.WaitAsync(Timeout);

        var secondSent = Assert.Single(destination.Attempts, attempt => attempt.SvixId == second.SvixId).At;
        Assert.True(secondSent - paused >= AskedPause - TimerSlack,
            $"the next event was sent {(secondSent - paused).TotalMilliseconds:0} ms after the destination asked for a pause of {AskedPause.TotalMilliseconds:0} ms");
        Assert.Equal(2, destination.Attempts.Count(attempt => attempt.SvixId == first.SvixId));
    }

    private static ForwardingHandler Handler(HttpMessageHandler destination) =>
        InTestForwarding.Handler(destination, TimeProvider.System, options =>
        {
            options.FirstRetryDelay = TimeSpan.FromMilliseconds(10);
            options.MaxRetryDelay = TimeSpan.FromSeconds(5);
        });

    /// <summary>Answers the first attempt it gets with 429 and a <c>Retry-After</c>, every later one with 200.</summary>
    private sealed class PausingDestination(TimeSpan retryAfter) : HttpMessageHandler
    {
        private readonly Lock _gate = new();
        private readonly List<(string SvixId, DateTimeOffset At)> _attempts = [];
        private readonly TaskCompletionSource<DateTimeOffset> _firstAnswer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<DateTimeOffset> FirstAnswerAsync => _firstAnswer.Task;

        public IReadOnlyList<(string SvixId, DateTimeOffset At)> Attempts
        {
            get
            {
                lock (_gate)
                {
                    return [.. _attempts];
                }
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var now = TimeProvider.System.GetUtcNow();
            bool first;
            lock (_gate)
            {
                first = _attempts.Count == 0;
                _attempts.Add((request.Headers.GetValues(SvixHeaders.StandardId).Single(), now));
            }

            var response = new HttpResponseMessage(first ? HttpStatusCode.TooManyRequests : HttpStatusCode.OK);
            if (first)
            {
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(retryAfter);
                _firstAnswer.SetResult(now);
            }

            return Task.FromResult(response);
        }
    }
}
