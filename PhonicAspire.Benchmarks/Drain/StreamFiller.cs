using System.Diagnostics;
using System.Globalization;
using PhonicAspire.Webhooks;
using StackExchange.Redis;

namespace PhonicAspire.Benchmarks.Drain;

/// <summary>Appends entries to the webhook stream with exactly the fields the API writes for an accepted delivery.</summary>
public sealed class StreamFiller(IDatabase redis, TimeProvider timeProvider)
{
    private const string EventType = "conversation.ended";

    // Pipelined in chunks: with appendfsync always, Redis then fsyncs once per chunk rather than once per entry.
    private const int ChunkSize = 500;

    public async Task<Backlog> FillAsync(IReadOnlyList<byte[]> bodies, CancellationToken cancellationToken)
    {
        var svixIds = new string[bodies.Count];
        var entryIds = new RedisValue[bodies.Count];
        for (var offset = 0; offset < bodies.Count; offset += ChunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var receivedAt = timeProvider.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
            var adds = new List<Task<RedisValue>>(ChunkSize);
            for (var index = offset; index < Math.Min(offset + ChunkSize, bodies.Count); index++)
            {
                svixIds[index] = $"msg_{Guid.NewGuid():N}";
                adds.Add(redis.StreamAddAsync(WebhookStream.Name, Entry(svixIds[index], receivedAt, bodies[index])));
            }

            (await Task.WhenAll(adds)).CopyTo(entryIds, offset);
        }

        return new Backlog(svixIds, [.. entryIds.Select(id => StreamEntryId.Parse(id.ToString())).Order()]);
    }

    private static NameValueEntry[] Entry(string svixId, string receivedAt, byte[] body) =>
    [
        new(WebhookStream.Fields.SvixId, svixId),
        new(WebhookStream.Fields.EventType, EventType),
        new(WebhookStream.Fields.ReceivedAt, receivedAt),
        // The API writes the request's sampled trace context, which makes the worker link its batch spans to it.
        new(WebhookStream.Fields.TraceParent, $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01"),
        new(WebhookStream.Fields.TraceState, ""),
        new(WebhookStream.Fields.Body, body),
    ];
}

/// <param name="EntryIds">The entries' stream ids, in stream order.</param>
public sealed record Backlog(IReadOnlyList<string> SvixIds, StreamEntryId[] EntryIds);
