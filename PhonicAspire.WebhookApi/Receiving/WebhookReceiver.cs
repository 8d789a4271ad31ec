using System.Diagnostics;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;
using PhonicAspire.ServiceDefaults.Telemetry;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.WebhookApi.Queueing;
using PhonicAspire.WebhookApi.Queueing.Durability;
using PhonicAspire.Webhooks;
using PhonicAspire.Webhooks.Svix;

namespace PhonicAspire.WebhookApi.Receiving;

/// <summary>
/// One delivery from Phonic: refuse what is not JSON or too large, verify the signature over the exact bytes,
/// queue it durably, and answer 2xx only once Redis holds it.
/// </summary>
public sealed partial class WebhookReceiver(
    WebhookBodyReader bodyReader,
    SvixSignatureVerifier verifier,
    WebhookQueue queue,
    RedisDurabilityMonitor durability,
    RedisMemoryPressure memoryPressure,
    PhonicMetrics metrics,
    TimeProvider timeProvider,
    IOptions<WebhookOptions> options,
    ILogger<WebhookReceiver> logger)
{
    // Svix keeps its own schedule; this tells any other client that a short wait is enough.
    private const string RetryAfterSeconds = "5";

    public async Task<IResult> ReceiveAsync(HttpContext context)
    {
        var request = context.Request;
        var connectionChanges = durability.ConnectionChanges;
        if (!durability.AllowsAcknowledging)
        {
            // Before any work: whatever the delivery, it cannot be acknowledged now, and Svix will retry it.
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            if (!durability.HasReadRedis)
            {
                metrics.DeliveryReceived(DeliveryOutcome.QueueUnavailable);
                return WebhookProblems.QueueUnavailable();
            }

            metrics.DeliveryReceived(DeliveryOutcome.QueueNotDurable);
            return WebhookProblems.QueueNotDurable();
        }

        if (!IsJson(request.ContentType))
        {
            metrics.DeliveryReceived(DeliveryOutcome.UnsupportedMediaType);
            return WebhookProblems.UnsupportedMediaType(request.ContentType);
        }

        // What can be judged before a byte of the body is read: the signature headers and the timestamp window.
        var svixIdLines = Header(request, SvixHeaders.Id, SvixHeaders.StandardId);
        var timestampLines = Header(request, SvixHeaders.Timestamp, SvixHeaders.StandardTimestamp);
        if (svixIdLines.Count > 1 || timestampLines.Count > 1)
        {
            // One value each, unlike the signature's list: joined, two ids would only fail as a wrong signature.
            return Reject(SvixVerificationResult.MalformedHeaders);
        }

        var svixId = svixIdLines.ToString();
        var timestamp = timestampLines.ToString();
        var signature = SvixHeaders.JoinSignatureLines(Header(request, SvixHeaders.Signature, SvixHeaders.StandardSignature));
        if (verifier.CheckHeaders(svixId, timestamp, signature) is { } headerProblem)
        {
            return Reject(headerProblem);
        }

        BodyReadResult read;
        try
        {
            read = await bodyReader.ReadAsync(request, context.RequestAborted);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode != StatusCodes.Status413PayloadTooLarge)
        {
            // The client sent less than it announced, or too slowly: nothing complete to verify, nothing stored.
            metrics.DeliveryReceived(DeliveryOutcome.BodyIncomplete);
            return WebhookProblems.BodyIncomplete(tooSlow: exception.StatusCode == StatusCodes.Status408RequestTimeout);
        }
        catch (BadHttpRequestException)
        {
            read = new(null, BodyRefusal.TooLarge);
        }
        catch (Exception exception) when (exception is ConnectionResetException
            || exception is IOException or OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            metrics.DeliveryReceived(DeliveryOutcome.ClientAborted);
            return Results.Empty;
        }
        catch (IOException)
        {
            // Kestrel reports some malformed chunked framing (a chunk size too large to hold) as a plain IOException.
            metrics.DeliveryReceived(DeliveryOutcome.BodyIncomplete);
            return WebhookProblems.BodyIncomplete(tooSlow: false);
        }

        using var body = read.Body;
        if (body is null)
        {
            if (read.Refusal == BodyRefusal.OverBudget)
            {
                // Refused unread; the client is told not to send more on this connection.
                metrics.DeliveryReceived(DeliveryOutcome.Busy);
                context.Response.Headers.RetryAfter = RetryAfterSeconds;
                context.Response.Headers.Connection = "close";
                return WebhookProblems.Busy();
            }

            metrics.DeliveryReceived(DeliveryOutcome.BodyTooLarge);
            return WebhookProblems.BodyTooLarge(options.Value.MaxBodyBytes);
        }

        var verificationStarted = timeProvider.GetTimestamp();
        var verification = verifier.Verify(svixId, timestamp, signature, body.Memory.Span);
        metrics.VerificationTook(timeProvider.GetElapsedTime(verificationStarted));

        if (verification != SvixVerificationResult.Verified)
        {
            body.Release();
            return Reject(verification);
        }

        var (eventType, conversationId) = DeliveryLabels.Read(body.Memory.Span);
        Activity.Current?.SetTag("phonic.svix_id", svixId)
            .SetTag("phonic.event_type", eventType)
            .SetTag("phonic.conversation_id", conversationId);
        using var scope = logger.BeginScope(new KeyValuePair<string, object?>[]
        {
            new("SvixId", svixId), new("EventType", eventType), new("ConversationId", conversationId),
        });

        var refusalsBefore = memoryPressure.Refusals;
        try
        {
            var result = await queue.EnqueueAsync(
                new QueuedDelivery(svixId!, eventType, conversationId, timeProvider.GetUtcNow(), body.Memory),
                context.RequestAborted);
            body.Release();

            if (!durability.AllowsAcknowledgingSince(connectionChanges))
            {
                // The connection to Redis failed and came back while this delivery was read or appended (a slow body
                // can take seconds), so it may be held by a server whose settings are not read yet: Svix's retry will
                // be answered once they are.
                metrics.DeliveryReceived(DeliveryOutcome.QueueNotDurable);
                LogConnectionChanged(logger, svixId!);
                context.Response.Headers.RetryAfter = RetryAfterSeconds;
                return WebhookProblems.QueueNotDurable();
            }

            if (result == EnqueueResult.Duplicate)
            {
                metrics.DeliveryReceived(DeliveryOutcome.Duplicate);
                LogDuplicate(logger, svixId!, eventType);
                return Results.Ok();
            }

            memoryPressure.Accepted(refusalsBefore);
            metrics.DeliveryReceived(DeliveryOutcome.Accepted);
            LogAccepted(logger, svixId!, eventType);
            return Results.Accepted();
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left while Redis was answering; the entry may be stored, and Svix's retry will find it.
            body.Abandon();
            metrics.DeliveryReceived(DeliveryOutcome.ClientAborted);
            return Results.Empty;
        }
        catch (QueueAppendException exception) when (exception.IsFull)
        {
            // Redis refused the append outright, so the buffer is not referenced by any command still in flight.
            body.Release();
            memoryPressure.Refused();
            metrics.DeliveryReceived(DeliveryOutcome.QueueFull);
            LogQueueFull(logger, svixId!);
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            return WebhookProblems.QueueFull();
        }
        catch (QueueAppendException exception)
        {
            body.Abandon();
            metrics.DeliveryReceived(DeliveryOutcome.QueueUnavailable);
            if (exception.IsUnexplained)
            {
                // The cause goes into the log whole: nothing but someone looking will end it.
                LogQueueFailed(logger, svixId!, exception.InnerException!);
            }
            else
            {
                LogQueueUnavailable(logger, svixId!, exception.InnerException!.GetType().Name);
            }

            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            return WebhookProblems.QueueUnavailable();
        }
    }

    private IResult Reject(SvixVerificationResult result)
    {
        var rejection = VerificationRejection.For(result);
        metrics.DeliveryReceived(rejection.Outcome);
        LogRejected(logger, rejection.Outcome);
        return WebhookProblems.Rejected(rejection);
    }

    private static StringValues Header(HttpRequest request, string name, string standardName)
    {
        var value = request.Headers[name];
        return value.Count == 0 ? request.Headers[standardName] : value;
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
        && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    // Debug: at thousands of deliveries a second a line each costs more than the delivery; traces show each one.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted webhook {SvixId} ({EventType})")]
    private static partial void LogAccepted(ILogger logger, string svixId, string? eventType);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {SvixId} ({EventType}) was already accepted; acknowledged again")]
    private static partial void LogDuplicate(ILogger logger, string svixId, string? eventType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected a webhook delivery: {Outcome}")]
    private static partial void LogRejected(ILogger logger, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SvixId} refused: Redis is out of memory (maxmemory, noeviction); answered 503 so Svix retries")]
    private static partial void LogQueueFull(ILogger logger, string svixId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SvixId} could not be queued ({Error}); answered 503 so Svix retries")]
    private static partial void LogQueueUnavailable(ILogger logger, string svixId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SvixId} was appended over a connection to Redis that changed after it was let in; answered 503 so Svix retries once Redis's settings are read again")]
    private static partial void LogConnectionChanged(ILogger logger, string svixId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {SvixId} could not be queued: the append failed in a way Redis being away does not explain; answered 503 so Svix retries")]
    private static partial void LogQueueFailed(ILogger logger, string svixId, Exception exception);
}
