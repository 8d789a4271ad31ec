using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using Polly;
using Polly.Retry;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.Webhooks;
using PhonicAspire.Webhooks.Svix;
using PhonicAspire.Worker.Draining;

namespace PhonicAspire.Worker.Forwarding;

/// <summary>
/// Forwards each verified event to one destination, signed in the Standard Webhooks scheme. While the destination
/// is down or answers 5xx, 408 or 429, an event is tried again with a growing pause until it is delivered or older
/// than <see cref="ForwardingOptions.MaxAge"/>; a <c>Retry-After</c> pauses every forward to the destination; a
/// refusal (any other 4xx) and an expired event are rejected, so the drain loop moves them to the forwarding dead
/// letters and the destination's consumer group moves on.
/// </summary>
public sealed partial class ForwardingHandler(
    string destinationName,
    ForwardingOptions options,
    IHttpClientFactory httpClientFactory,
    PhonicMetrics metrics,
    TimeProvider timeProvider,
    ILogger<ForwardingHandler> logger) : IDeliveryHandler
{
    public const string HttpClientName = "forwarding";
    private const string ForwardActivityName = "phonic.webhook forward";

    private readonly ForwardingDestination _destination = options.Destinations[destinationName];
    private readonly WebhookSigningKeys _keys = WebhookSigningKeys.Parse(options.SigningSecret);
    private readonly HttpClient _http = httpClientFactory.CreateClient(HttpClientName);
    private readonly ResiliencePipeline<ForwardAttempt> _retry = new ResiliencePipelineBuilder<ForwardAttempt> { TimeProvider = timeProvider }
        .AddRetry(new RetryStrategyOptions<ForwardAttempt>
        {
            ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome.Result?.Outcome == ForwardOutcome.Failed),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.FirstRetryDelay,
            MaxDelay = options.MaxRetryDelay,
            DelayGenerator = arguments => ValueTask.FromResult(AskedPause(arguments.Outcome.Result, options.MaxRetryDelay)),
            OnRetry = arguments =>
            {
                LogRetrying(logger, destinationName, arguments.Outcome.Result!.Detail, arguments.RetryDelay.TotalMilliseconds);
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    // Attempts under way, across every batch the destination's window holds; the events waiting to retry hold none.
    private readonly SemaphoreSlim _attempts = new(options.Concurrency, options.Concurrency);

    // A Retry-After speaks for the destination, not for the one event it answered: no attempt starts before it is
    // over, whichever event or batch it is for.
    private readonly Lock _pauseGate = new();
    private DateTimeOffset _pausedUntil;

    public Task WaitUntilReadyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // An entry an operator put back for the storage (a requeue, a replayed storage dead letter) was read by every
    // destination the first time.
    public bool Takes(DeliveryRouting routing) =>
        !routing.Reprocess && (routing.ForwardTo ?? destinationName) == destinationName && _destination.Accepts(routing.EventType);

    // Not async: the forwards start here and each keeps only its own delivery alive, not the batch, while its
    // destination keeps failing it.
    public Task HandleAsync(IReadOnlyList<QueuedDelivery> deliveries, DeliveryOutcomes outcomes, CancellationToken cancellationToken)
    {
        var mine = deliveries.ToLookup(delivery => Takes(delivery.Routing));
        // Replayed from the forwarding dead letters to this destination, which has stopped taking their event type
        // since: acknowledged unsent, as the configuration now asks, but not without a word.
        foreach (var replayed in mine[false].Where(delivery => delivery.Routing is { Reprocess: false } routing && routing.ForwardTo == destinationName))
        {
            LogNoLongerTaken(logger, replayed.SvixId, replayed.Routing.EventType, destinationName);
        }

        // What is not for this destination is done with at once, not when the slowest forward of its batch is.
        var notMine = outcomes.HandledAsync(mine[false], cancellationToken);
        var forwards = mine[true].Select(delivery => ForwardAsync(delivery, outcomes, cancellationToken)).ToArray();
        return Task.WhenAll([notMine, .. forwards]);
    }

    // Reported on its own as soon as it is decided, so an event the destination keeps failing holds back no other.
    private async Task ForwardAsync(QueuedDelivery delivery, DeliveryOutcomes outcomes, CancellationToken cancellationToken)
    {
        var lastFailure = new StrongBox<string?>();
        var final = await _retry.ExecuteAsync(
            static (state, token) => state.Handler.AttemptAsync(state.Delivery, state.LastFailure, token), (Handler: this, Delivery: delivery, LastFailure: lastFailure), cancellationToken);
        if (final.Outcome == ForwardOutcome.Delivered)
        {
            await outcomes.HandledAsync(delivery, cancellationToken);
        }
        else
        {
            await outcomes.RejectedAsync(delivery, $"{destinationName}: {final.Detail}", cancellationToken);
        }
    }

    // lastFailure: why the attempt before failed, for the reason of an event that expires (a TLS error, say, that
    // was otherwise only in the log's warnings).
    private async ValueTask<ForwardAttempt> AttemptAsync(QueuedDelivery delivery, StrongBox<string?> lastFailure, CancellationToken cancellationToken)
    {
        ForwardAttempt attempt;
        await _attempts.WaitAsync(cancellationToken);
        try
        {
            // Waited out holding a slot, so that when the pause ends at most Concurrency attempts start at once.
            await WaitOutPauseAsync(cancellationToken);
            var now = timeProvider.GetUtcNow();
            // A replay from the forwarding dead letters starts the age limit again.
            attempt = now - (delivery.ReplayedAt ?? delivery.ReceivedAt) > options.MaxAge
                ? new ForwardAttempt(ForwardOutcome.Expired, $"not delivered within {options.MaxAge} of its receipt"
                    + (lastFailure.Value is { } last ? $"; the last attempt: {last}" : ""))
                : await SendAsync(delivery, now, cancellationToken);
            if (attempt.Outcome == ForwardOutcome.Failed)
            {
                lastFailure.Value = attempt.Detail;
            }
            if (AskedPause(attempt, options.MaxRetryDelay) is { } pause)
            {
                PauseUntil(timeProvider.GetUtcNow() + pause);
            }
        }
        finally
        {
            _attempts.Release();
        }

        metrics.Forwarded(destinationName, attempt.Outcome switch
        {
            ForwardOutcome.Delivered => "delivered",
            ForwardOutcome.Refused => "refused",
            ForwardOutcome.Expired => "expired",
            _ => "failed",
        });
        return attempt;
    }

    // Polly and the pause use a generated delay as it is, past MaxDelay and down to no wait at all: a Retry-After of 0
    // (or a date past) would retry at once, one of days would outlast the age limit.
    private static TimeSpan? AskedPause(ForwardAttempt? attempt, TimeSpan maxDelay) => attempt?.RetryAfter is { } asked && asked > TimeSpan.Zero
        ? TimeSpan.FromTicks(Math.Min(asked.Ticks, maxDelay.Ticks))
        : null;

    private void PauseUntil(DateTimeOffset until)
    {
        lock (_pauseGate)
        {
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }

    private async Task WaitOutPauseAsync(CancellationToken cancellationToken)
    {
        // Another answer may lengthen the pause while this attempt waits.
        while (PauseLeft() is { } left)
        {
            await Task.Delay(left, timeProvider, cancellationToken);
        }
    }

    private TimeSpan? PauseLeft()
    {
        lock (_pauseGate)
        {
            var left = _pausedUntil - timeProvider.GetUtcNow();
            return left > TimeSpan.Zero ? left : null;
        }
    }

    private async Task<ForwardAttempt> SendAsync(QueuedDelivery delivery, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // Continues the delivery's trace, so the forward sits under the API's request like the store does.
        using var activity = PhonicTracing.Source.StartActivity(ForwardActivityName, ActivityKind.Consumer, delivery.TraceContext);
        activity?.SetTag("phonic.svix_id", delivery.SvixId)
            .SetTag("phonic.event_type", delivery.EventType)
            .SetTag("phonic.conversation_id", delivery.ConversationId)
            .SetTag("phonic.forward.destination", destinationName);

        using var attemptTimeout = new CancellationTokenSource(options.AttemptTimeout, timeProvider);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, attemptTimeout.Token);
        try
        {
            using var request = StandardWebhookRequest.Create(_destination.Url!, delivery, _keys, now);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var attempt = Judge(response, timeProvider.GetUtcNow());
            activity?.SetTag("http.response.status_code", (int)response.StatusCode)
                .SetTag("phonic.forward.outcome", attempt.Outcome.ToString());
            if (attempt.Outcome == ForwardOutcome.Refused)
            {
                LogRefused(logger, delivery.SvixId, destinationName, (int)response.StatusCode);
            }

            return attempt;
        }
        catch (Exception exception) when (exception is HttpRequestException
            || exception is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            return new ForwardAttempt(ForwardOutcome.Failed, exception is OperationCanceledException
                ? $"no answer within {options.AttemptTimeout}"
                : $"{exception.GetType().Name} ({(exception as HttpRequestException)?.HttpRequestError})");
        }
    }

    private static ForwardAttempt Judge(HttpResponseMessage response, DateTimeOffset now)
    {
        var detail = $"answered {(int)response.StatusCode}";
        return response.StatusCode switch
        {
            _ when response.IsSuccessStatusCode => new ForwardAttempt(ForwardOutcome.Delivered, detail),
            HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError =>
                new ForwardAttempt(ForwardOutcome.Failed, detail, RetryAfter(response, now)),
            // Any other 4xx refuses the event itself, and sending it again would not change that. 1xx and 3xx: a
            // destination URL that redirects is misconfigured, and following it would resend the body.
            _ => new ForwardAttempt(ForwardOutcome.Refused, detail),
        };
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        // More seconds than .NET's parser takes (past Int32), which leaves the typed header empty: longer than any
        // pause a forward takes.
        _ when response.Headers.NonValidated.TryGetValues("Retry-After", out var raw)
            && raw.Count == 1 && raw.ToString() is { Length: > 0 } seconds && seconds.All(char.IsAsciiDigit) => TimeSpan.MaxValue,
        _ => null,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forwarding to {Destination} failed ({Detail}); retrying in {DelayMs} ms")]
    private static partial void LogRetrying(ILogger logger, string destination, string detail, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Event {SvixId} ({EventType}) was replayed to {Destination}, which no longer takes its event type: not sent")]
    private static partial void LogNoLongerTaken(ILogger logger, string svixId, string? eventType, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Destination} refused event {SvixId} with {Status}; it goes to the forwarding dead letters")]
    private static partial void LogRefused(ILogger logger, string svixId, string destination, int status);
}
