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
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);
    // Timers do not fire early by more than this; a slow machine only makes the measured gaps longer.
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_event_from_a_later_batch_is_not_sent_to_a_destination_before_the_pause_its_Retry_After_asked_for()
    {
        var destination = new PausingDestination(response => response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(AskedPause));
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

    [Fact]
    public async Task A_Retry_After_of_more_seconds_than_dotnet_parses_pauses_for_the_longest_retry_delay()
    {
        // 99,999,999,999 s, past Int32: .NET's typed header is null for it, and without a look at the raw value the
        // forward retried after its own first delay of 10 ms.
        var destination = new PausingDestination(response => response.Headers.TryAddWithoutValidation("Retry-After", "99999999999"));
        var handler = Handler(destination);
        var delivery = InTestForwarding.Delivery();

        await handler.HandleAsync([delivery], InTestForwarding.Outcomes(delivery), CancellationToken.None).WaitAsync(Timeout);

        var attempts = destination.Attempts;
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].At - attempts[0].At >= MaxRetryDelay - TimerSlack,
            $"the retry came {(attempts[1].At - attempts[0].At).TotalMilliseconds:0} ms after a Retry-After of days, not after the longest retry delay");
    }

    private static ForwardingHandler Handler(HttpMessageHandler destination) =>
        InTestForwarding.Handler(destination, TimeProvider.System, options =>
        {
            options.FirstRetryDelay = TimeSpan.FromMilliseconds(10);
            options.MaxRetryDelay = MaxRetryDelay;
        });

    /// <summary>Answers the first attempt it gets with 429 and a <c>Retry-After</c>, every later one with 200.</summary>
    private sealed class PausingDestination(Action<HttpResponseMessage> askForPause) : HttpMessageHandler
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
                askForPause(response);
                _firstAnswer.SetResult(now);
            }

            return Task.FromResult(response);
        }
    }
}
