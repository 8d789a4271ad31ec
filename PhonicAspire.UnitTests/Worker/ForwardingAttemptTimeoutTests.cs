using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;
using PhonicAspire.Worker.Draining;
using PhonicAspire.Worker.Forwarding;
using StackExchange.Redis;

namespace PhonicAspire.UnitTests.Worker;

/// <summary>The forward's attempts end on the handler's own clock, the one its retries wait on.</summary>
public sealed class ForwardingAttemptTimeoutTests
{
    private const string DestinationName = "crm";
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task An_attempt_the_destination_does_not_answer_ends_once_the_handlers_clock_passes_AttemptTimeout()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var destination = new SilentDestination();
        var handler = Handler(destination, clock);
        var delivery = new QueuedDelivery($"msg_{Guid.NewGuid():N}", PhonicEventTypes.ConversationEnded, "conv", DateTimeOffset.UtcNow, "{}"u8.ToArray());
        using var stop = new CancellationTokenSource();

        var forwarding = handler.HandleAsync([delivery], Outcomes(delivery), stop.Token);
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

    private static ForwardingHandler Handler(HttpMessageHandler destination, TimeProvider clock)
    {
        var options = new ForwardingOptions
        {
            Destinations = { [DestinationName] = new ForwardingDestination { Url = new Uri("http://destination.test/hooks") } },
            SigningSecret = $"whsec_{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}",
            AttemptTimeout = AttemptTimeout,
        };
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        return new ForwardingHandler(
            DestinationName, options, new SingleClientFactory(destination), new PhonicMetrics(meters), clock, NullLogger<ForwardingHandler>.Instance);
    }

    private static DeliveryOutcomes Outcomes(QueuedDelivery delivery) => new(
        [(delivery, new StreamEntry("1-0", [new NameValueEntry(WebhookStream.Fields.SvixId, delivery.SvixId)]))],
        (_, _) => Task.CompletedTask,
        (_, reason, _) => throw new InvalidOperationException($"the forward was rejected: {reason}"),
        _ => { });

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
