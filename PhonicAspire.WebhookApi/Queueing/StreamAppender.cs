using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PhonicAspire.WebhookApi.Configuration;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.WebhookApi.Queueing;

/// <summary>
/// Appends deliveries to the webhook stream in batches with <see cref="EnqueueScript"/>: the deliveries that arrive
/// while one batch is on its way to Redis go together in the next, one script call for all of them. Redis answers a
/// batch only once it is fsynced (<c>appendfsync always</c>), as it does a single append, so no delivery is answered
/// sooner than before; under a steady load a delivery waits for the batch ahead of it (more, only when more than
/// <c>MaxBatch</c> are waiting). Per delivery, Redis saves a script call and this process a command, a reply and a
/// thread wake-up, which the profile showed to be most of its cost.
/// </summary>
public sealed class StreamAppender(IConnectionMultiplexer redis, IOptions<WebhookOptions> options, TimeProvider timeProvider) : BackgroundService
{
    // Bounds one script call's arguments; at the ingest's concurrency a batch holds a few dozen at most.
    private const int MaxBatch = 64;

    private static readonly RedisKey StreamKey = WebhookStream.Name;

    private readonly Channel<PendingAppend> _pending = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>
    /// Queues the delivery for the next batch. Completes with its entry id, with null when its svix id was already
    /// accepted, or with the error Redis gave its append; fails when the whole batch failed, and when the delivery
    /// waited longer than <paramref name="timeout"/> or its caller left. One that gives up before its batch is sent
    /// is never sent.
    /// </summary>
    /// <param name="countedArguments">Its entry as <see cref="DeliveryEntry.ToCountedArguments"/> writes it.</param>
    public async Task<RedisResult> AppendAsync(string svixId, RedisValue[] countedArguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var pending = new PendingAppend(WebhookStream.AcceptedKeyPrefix + svixId, countedArguments);
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new RedisConnectionException(ConnectionFailureType.None, "The API is stopping; the delivery was not queued.");
        }

        try
        {
            return await pending.Completion.Task.WaitAsync(timeout, timeProvider, cancellationToken);
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException)
        {
            // Told it was not queued (503), so it must not be appended afterwards, when Redis resumes.
            pending.Withdraw();
            throw;
        }
    }

    /// <summary>Takes no more deliveries and appends those already queued before the service stops.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _pending.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingAppend>(MaxBatch);
        // Not stoppingToken: what is queued is appended, and the channel's completion ends the loop.
        while (await _pending.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _pending.Reader.TryRead(out var next))
            {
                if (next.TryTake())
                {
                    batch.Add(next);
                }
            }

            if (batch.Count > 0)
            {
                await AppendBatchAsync(batch);
                batch.Clear();
            }
        }
    }

    private async Task AppendBatchAsync(List<PendingAppend> batch)
    {
        var keys = new RedisKey[batch.Count + 1];
        keys[0] = StreamKey;
        var arguments = new RedisValue[1 + batch.Sum(pending => pending.Arguments!.Length)];
        arguments[0] = (long)options.Value.AcceptedIdRetention.TotalSeconds;
        var at = 1;
        for (var index = 0; index < batch.Count; index++)
        {
            keys[index + 1] = batch[index].AcceptedKey;
            var entry = batch[index].Arguments!;
            entry.CopyTo(arguments, at);
            at += entry.Length;
        }

        try
        {
            var results = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(EnqueueScript.Text, keys, arguments))!;
            for (var index = 0; index < batch.Count; index++)
            {
                batch[index].Completion.SetResult(results[index]);
            }
        }
        catch (Exception exception)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(exception);
            }
        }
    }

    // Completed from the append loop; the request's own code continues elsewhere, so the loop is never held by it.
    // Taken by the loop or withdrawn by its caller, whichever comes first.
    private sealed class PendingAppend(RedisKey acceptedKey, RedisValue[] arguments)
    {
        private const int Queued = 0, Taken = 1, Withdrawn = 2;
        private int _state = Queued;

        public RedisKey AcceptedKey { get; } = acceptedKey;

        /// <summary>The entry's arguments; null once withdrawn.</summary>
        public RedisValue[]? Arguments { get; private set; } = arguments;

        public TaskCompletionSource<RedisResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryTake() => Interlocked.CompareExchange(ref _state, Taken, Queued) == Queued;

        public void Withdraw()
        {
            if (Interlocked.CompareExchange(ref _state, Withdrawn, Queued) == Queued)
            {
                Arguments = null;
            }
        }
    }
}
